"""simcancel.analysis._sampling: Hypothesis finds the simplest state, only when asked to."""

from __future__ import annotations

import subprocess
import sys

from simcancel import default_rules
from simcancel._statespace import state_space
from simcancel.analysis._sampling import Facts, find_state


def test_find_state_shrinks_to_the_simplest_state() -> None:
    """A condition on a money interval shrinks to the interval's low end, the rest to first classes."""
    space = state_space(default_rules())
    found = find_state(space, lambda facts: int(facts["balance"]) > 5000, samples=200)
    assert found.state is not None
    assert found.state["balance"] == 5001
    assert found.state["arrears"] == space.base["arrears"]
    assert found.tried > 0


def test_find_state_is_derandomized() -> None:
    """The same search gives the same state and the same count every time."""
    space = state_space(default_rules())

    def condition(facts: Facts) -> bool:
        return facts["can_visit_store"] is False and facts["provider"] != space.base["provider"]

    assert find_state(space, condition, samples=100) == find_state(space, condition, samples=100)


def test_find_state_without_a_match_tries_exactly_samples_states() -> None:
    """When nothing matches, the answer is no state after exactly `samples` tries."""
    found = find_state(state_space(default_rules()), lambda facts: False, samples=25)
    assert (found.tried, found.state) == (25, None)


def test_importing_analysis_or_the_cli_imports_no_hypothesis() -> None:
    """Hypothesis (and simcancel.testing) load only when a walk samples; the CLI loads analysis lazily."""
    code = (
        "import sys, simcancel.cli\n"
        "assert 'simcancel.analysis' not in sys.modules, 'cli imported analysis'\n"
        "import simcancel.analysis\n"
        "loaded = [name for name in ('hypothesis', 'simcancel.testing') if name in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
