"""Sampling a state space with Hypothesis, for walks too large to take class by class.

Hypothesis is imported here, inside :func:`find_state`, and nowhere else in
:mod:`simcancel.analysis`: importing the package (for a report type, or for
``simcancel assess``) does not pay for it.

States come from :meth:`StateSpace.draw` driven by a Hypothesis-controlled random
generator, so every class is reachable, numbers land anywhere inside their interval, and
a failing state shrinks towards each variable's first class and the low end of its
interval.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

from simcancel._errors import require_hypothesis
from simcancel._facts import EngineValue
from simcancel._statespace import StateSpace

__all__ = ["Facts", "Found", "find_state"]

Facts = dict[str, EngineValue]
"""A complete fact: every catalogue fact, typed as the engine reads it."""


@attrs.frozen(kw_only=True)
class Found:
    """What a sampled search saw: how many states it tried, and the (shrunk) state found."""

    tried: int
    state: Mapping[str, EngineValue] | None


def find_state(space: StateSpace, condition: Callable[[Facts], bool], *, samples: int) -> Found:
    """The simplest state of ``space`` for which ``condition`` holds, after at most
    ``samples`` random states (derandomized: the same answer every run), or none."""
    require_hypothesis("simcancel verify")
    from hypothesis import HealthCheck, find, settings  # noqa: PLC0415 (see the module docstring)
    from hypothesis import strategies as st  # noqa: PLC0415
    from hypothesis.errors import NoSuchExample  # noqa: PLC0415

    tried = 0

    def counted(facts: Facts) -> bool:
        nonlocal tried
        tried += 1
        return condition(facts)

    config = settings(
        max_examples=samples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    try:
        state = find(st.randoms(use_true_random=False).map(space.draw), counted, settings=config)
    except NoSuchExample:
        return Found(tried=tried, state=None)
    return Found(tried=tried, state=state)
