"""Fuzzing: whatever is handed in, the outcome is a valid result or a SimcancelError.

``make test`` runs a bounded number of examples (the ``ci`` profile).  ``make fuzz``
sets ``SIMCANCEL_FUZZ_EXAMPLES`` (e.g. 1,000,000): the total is shared out between the
tests below by weight, and each test runs in rounds of at most ``ROUND`` examples, so
Hypothesis' per-run bookkeeping stays small however long the fuzz.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simcancel
from simcancel import Assessment, SimcancelError, UserState, assess, load_rules
from simcancel.testing import user_states
from tests.packs import VALID_STATE, issued_by, minimal_pack

TOTAL = int(os.environ.get("SIMCANCEL_FUZZ_EXAMPLES", "0"))
ROUND = 50_000
AS_OF = dt.date(2026, 11, 24)
_T = TypeVar("_T")

# Share of the long fuzz per test: cheap tests take most of it, since a loader example
# costs ~100x a text example (PyYAML's pure-Python parser plus data generation).
WEIGHTS = {
    "json_text": 0.40,
    "json_bytes": 0.40,
    "state_arbitrary": 0.08,
    "json_mutations": 0.057,
    "state_mutations": 0.05,
    "rule_file_arbitrary": 0.01,
    "rule_file_mutations": 0.003,
}
CI_EXAMPLES = {"rule_file_arbitrary": 60, "rule_file_mutations": 30}


def _rounds(name: str) -> int:
    return max(1, math.ceil(TOTAL * WEIGHTS[name] / ROUND)) if TOTAL else 1


def fuzz(name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Settings for one fuzz test: bounded by default, ``TOTAL * weight`` under make fuzz."""
    if not TOTAL:
        if name in CI_EXAMPLES:
            return settings(max_examples=CI_EXAMPLES[name], deadline=None)
        return settings(deadline=None)
    per_round = max(1, math.ceil(TOTAL * WEIGHTS[name] / _rounds(name)))
    return settings(
        max_examples=per_round,
        deadline=None,
        derandomize=False,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


# --- strategies ----------------------------------------------------------------------------

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(),
    st.decimals(),
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1e308",
            "NaN",
            "Infinity",
            "0.001",
            "jazz",
            "prepaid",
            "2024-02-30",
            "2024-01-01",
            "sms",
            "true",
            "\ud800",
            "x" * 300,
        ]
    ),
)
json_like = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(max_size=20), children, max_size=6),
    ),
    max_leaves=30,
)
field_names = st.sampled_from(
    [
        "provider",
        "plan",
        "balance",
        "arrears",
        "line_status",
        "services",
        "unused",
        "documents",
        "situation",
        "intentions",
        "activated_on",
        "kind",
        "active",
        "recurring",
        "name",
        "data_mb",
        "minutes",
        "sms",
        "passport_original",
        "balanse",
        "",
    ]
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_paths(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_paths(item, (*path, index)))
    return found


def _mutate(data: st.DataObject, value: Any) -> Any:
    """Replace, delete or add one node somewhere inside ``value`` (a dict or list tree)."""
    path = data.draw(st.sampled_from(_paths(value)))
    action = data.draw(st.sampled_from(["replace", "delete", "add"]))
    if not path:
        return data.draw(json_like) if action == "replace" else value
    parent = value
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "replace":
        parent[last] = data.draw(json_like)
    elif action == "delete":
        del parent[last]
    elif isinstance(parent, dict):
        parent[data.draw(field_names)] = data.draw(json_like)
    else:
        parent.insert(last, data.draw(json_like))
    return value


valid_state_dicts = user_states(activated_on=issued_by(AS_OF)).map(lambda state: state.to_dict())


def mutated_states() -> st.SearchStrategy[Any]:
    """A valid state's dict with one to three nodes replaced, deleted or added."""

    @st.composite
    def build(draw: st.DrawFn) -> Any:
        value: Any = draw(valid_state_dicts)
        data = draw(st.data())
        for _ in range(draw(st.integers(min_value=1, max_value=3))):
            value = _mutate(data, value)
        return value

    return build()


# --- the property --------------------------------------------------------------------------


def _attempt(call: Callable[[], _T]) -> _T | SimcancelError:
    """``call()``, or the SimcancelError it raised; anything else propagates and fails."""
    try:
        return call()
    except SimcancelError as error:
        return error


def _outcome_of_state(make: Callable[[], UserState]) -> None:
    """Either a state that assesses (or names its unknown provider), or a SimcancelError."""
    state = _attempt(make)
    if isinstance(state, SimcancelError):
        assert isinstance(state, simcancel.InvalidStateError)
        assert state.problems
        assert all(problem.path.startswith("$") for problem in state.problems)
        assert len(str(state)) < 200 * len(state.problems) + 200
        return
    assert UserState.from_dict(state.to_dict()) == state
    result = _attempt(lambda: assess(state, locale="en", as_of=AS_OF))
    if isinstance(result, SimcancelError):
        assert isinstance(result, simcancel.InvalidStateError)
        # A mutation may make a state issued after the assessment day, or name no provider.
        late = state.activated_on is not None and state.activated_on > AS_OF
        assert [problem.path for problem in result.problems] == ["$.activated_on" if late else "$.provider"]
        return
    assert result.provider == state.provider


@pytest.mark.parametrize("round_", range(_rounds("state_mutations")))
@fuzz("state_mutations")
@given(mutated_states())
def test_state_mutations_give_a_state_or_an_invalid_state_error(round_: int, data: Any) -> None:
    """A valid state dict with nodes replaced, deleted or added never escapes SimcancelError."""
    _outcome_of_state(lambda: UserState.from_dict(data))


@pytest.mark.parametrize("round_", range(_rounds("state_arbitrary")))
@fuzz("state_arbitrary")
@given(json_like)
def test_arbitrary_data_gives_a_state_or_an_invalid_state_error(round_: int, data: Any) -> None:
    """Arbitrary JSON-like data handed to from_dict gives a state or an InvalidStateError."""
    _outcome_of_state(lambda: UserState.from_dict(data))


def _corrupt(data: st.DataObject, text: str) -> str:
    if not text:
        return text
    start = data.draw(st.integers(min_value=0, max_value=len(text) - 1))
    end = data.draw(st.integers(min_value=start, max_value=min(len(text), start + 8)))
    return text[:start] + data.draw(st.text(max_size=4)) + text[end:]


@pytest.mark.parametrize("round_", range(_rounds("json_mutations")))
@fuzz("json_mutations")
@given(mutated_states() | valid_state_dicts, st.data())
def test_corrupted_json_gives_a_state_or_an_invalid_state_error(
    round_: int, value: Any, data: st.DataObject
) -> None:
    """JSON text of a (mutated) state with a few characters corrupted parses or is refused."""
    text = json.dumps(value, default=str)
    for _ in range(data.draw(st.integers(min_value=0, max_value=3))):
        text = _corrupt(data, text)
    _outcome_of_state(lambda: UserState.from_json(text))


@pytest.mark.parametrize("round_", range(_rounds("json_text")))
@fuzz("json_text")
@given(st.text())
def test_arbitrary_text_gives_a_state_or_an_invalid_state_error(round_: int, text: str) -> None:
    """Arbitrary text handed to from_json never escapes as anything but InvalidStateError."""
    _outcome_of_state(lambda: UserState.from_json(text))


@pytest.mark.parametrize("round_", range(_rounds("json_bytes")))
@fuzz("json_bytes")
@given(
    st.binary()
    | st.builds(
        lambda prefix, rest: prefix + rest, st.just(json.dumps(VALID_STATE).encode()[:40]), st.binary()
    )
)
def test_arbitrary_bytes_give_a_state_or_an_invalid_state_error(round_: int, raw: bytes) -> None:
    """Arbitrary bytes (often not UTF-8) handed to from_json are parsed or refused cleanly."""
    _outcome_of_state(lambda: UserState.from_json(raw))


# --- the rule loader -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A minimal valid pack whose ``fuzz.yaml`` each example overwrites."""
    return minimal_pack(tmp_path_factory.mktemp("fuzz") / "pack")


def _outcome_of_rules(pack: Path) -> None:
    """Loading gives a rule set that assesses, or a RuleFileError; nothing else."""
    rules = _attempt(lambda: load_rules(pack))
    if isinstance(rules, SimcancelError):
        assert isinstance(rules, simcancel.RuleFileError)
        assert rules.problems
        assert all(problem.file for problem in rules.problems)
        return
    state = UserState.from_dict(dict(VALID_STATE, provider="other"))
    result = _attempt(lambda: assess(state, rules=rules, locale="en", as_of=AS_OF))
    # A loaded pack may leave a state without a route; an EngineError would be a loader gap.
    assert isinstance(result, (Assessment, simcancel.NoRouteError)), result


def _yaml_text(value: Any, as_json: bool) -> str:
    if as_json:
        return json.dumps(value, default=str, ensure_ascii=False)
    try:
        return yaml.safe_dump(value, allow_unicode=True)
    except yaml.YAMLError:
        return json.dumps(value, default=str)


rule_like = st.fixed_dictionaries(
    {
        "rules": st.lists(
            st.fixed_dictionaries(
                {
                    "id": st.sampled_from(["r", "R!", "route-ask", "x" * 70]) | st.text(max_size=8),
                    "kind": st.sampled_from(["blocking", "warning", "advice", "route", "rout"]),
                    "claims": st.lists(st.sampled_from(["A1", "A2", "A9", "Z999", "a1"]), max_size=3),
                    "when": json_like
                    | st.dictionaries(
                        st.sampled_from(
                            [
                                "balance",
                                "plan",
                                "active_services",
                                "any",
                                "all",
                                "balanse",
                                "always",
                                "provider",
                                "months_held",
                            ]
                        ),
                        json_like
                        | st.dictionaries(
                            st.sampled_from(["gt", "gte", "lt", "lte", "eq", "ne", "in", "not_in", "ex"]),
                            json_like,
                            max_size=3,
                        ),
                        max_size=3,
                    ),
                    "message": st.fixed_dictionaries(
                        {"en": st.text(max_size=20), "zh-CN": st.text(max_size=20)}
                    )
                    | json_like,
                },
                optional={
                    "fix": json_like,
                    "stage": st.sampled_from(["balance", "route", "x"]),
                    "route": st.sampled_from(["online", "in_store", "nowhere"]),
                    "priority": json_like,
                    "documents": json_like,
                    "steps": json_like,
                    "effective_from": json_like,
                },
            ),
            max_size=3,
        )
    },
)


@pytest.mark.parametrize("round_", range(_rounds("rule_file_arbitrary")))
@fuzz("rule_file_arbitrary")
@given(json_like | rule_like, st.booleans())
def test_arbitrary_rule_file_loads_or_gives_a_rule_file_error(
    round_: int, fuzz_pack: Path, value: Any, as_json: bool
) -> None:
    """Arbitrary data (or rule-shaped data) dumped as YAML or JSON loads or is refused."""
    # Lone surrogates become bytes that are not UTF-8: the loader must refuse those too.
    (fuzz_pack / "fuzz.yaml").write_bytes(_yaml_text(value, as_json).encode("utf-8", "surrogatepass"))
    _outcome_of_rules(fuzz_pack)


_BUILTIN_FILES = ("routes.yaml", "preconditions.yaml", "pitfalls.yaml")


@pytest.fixture(scope="module")
def builtin_rule_data() -> dict[str, Any]:
    """The shipped rule files as plain data, to mutate."""
    root = simcancel.builtin_rules_path()
    return {name: yaml.safe_load((root / name).read_text(encoding="utf-8")) for name in _BUILTIN_FILES}


@pytest.fixture(scope="module")
def mutation_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full claims register and locales, one provider; each example writes one rule file."""
    root = simcancel.builtin_rules_path()
    pack = minimal_pack(tmp_path_factory.mktemp("mutate") / "pack")
    (pack / "claims.yaml").write_bytes((root / "claims.yaml").read_bytes())
    (pack / "routes.yaml").unlink()
    return pack


@pytest.mark.parametrize("round_", range(_rounds("rule_file_mutations")))
@fuzz("rule_file_mutations")
@given(st.sampled_from(_BUILTIN_FILES), st.data())
def test_mutated_builtin_rule_file_loads_or_gives_a_rule_file_error(
    round_: int, mutation_pack: Path, builtin_rule_data: dict[str, Any], name: str, data: st.DataObject
) -> None:
    """A shipped rule file with nodes replaced, deleted or added, or its text corrupted."""
    value = json.loads(json.dumps(builtin_rule_data[name], default=str))
    if data.draw(st.booleans()):
        for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
            value = _mutate(data, value)
        text = _yaml_text(value, as_json=False)
    else:
        text = _corrupt(data, yaml.safe_dump(value, allow_unicode=True))
    (mutation_pack / "rules.yaml").write_bytes(text.encode("utf-8", "surrogatepass"))
    _outcome_of_rules(mutation_pack)


@pytest.mark.parametrize(
    "value", [Decimal("NaN"), Decimal("-Infinity"), Decimal("sNaN"), float("inf"), float("nan")]
)
def test_non_finite_money_is_refused_with_its_path(value: object) -> None:
    """Non-finite numbers, which the fuzz alphabet draws, are refused at their field."""
    with pytest.raises(simcancel.InvalidStateError, match=r"\$\.balance: expected a non-negative"):
        UserState.from_dict(dict(VALID_STATE, balance=value))
