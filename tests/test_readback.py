"""Assessment.from_dict reads back what to_dict wrote, and nothing else."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simcancel import Assessment, UsageError, UserState, assess, default_rules
from simcancel.testing import user_states
from tests.packs import VALID_STATE, issued_by

AS_OF = dt.date(2026, 11, 24)


@given(
    user_states(activated_on=issued_by(dt.date(2023, 1, 1))),  # on or before every day drawn below
    st.sampled_from(["zh-CN", "en"]),
    st.booleans(),
    st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2027, 12, 31)),
    st.booleans(),
)
def test_to_dict_round_trips_through_json(
    state: UserState, locale: str, public_facts: bool, day: dt.date, asked: bool
) -> None:
    """from_dict(json(to_dict())) is an equal assessment, for real answers of either rule set,
    with or without what_if."""
    rules = default_rules(public_facts=public_facts)
    result = assess(state, rules=rules, locale=locale, as_of=day, what_if=asked)
    again = Assessment.from_dict(json.loads(result.to_json()))
    assert again == result
    assert again.to_dict() == result.to_dict()


def test_labels_come_back_read_only() -> None:
    """The labels read back are a read-only mapping, as in the assessment that was written."""
    result = assess(UserState.from_dict(VALID_STATE), locale="en", as_of=AS_OF)
    again = Assessment.from_dict(result.to_dict())
    with pytest.raises(TypeError):
        again.labels["route.online"] = "HACKED"  # type: ignore[index]


def test_an_answer_written_before_labels_reads_back() -> None:
    """An assessment/1 of 0.1.0 (no labels key) reads back, with no labels."""
    data = assess(UserState.from_dict(VALID_STATE), locale="en", as_of=AS_OF).to_dict()
    del data["labels"]
    assert Assessment.from_dict(data).labels == {}


def test_keys_a_later_version_adds_are_ignored() -> None:
    """Within assessment/1 fields are only added: an unknown key does not stop the read."""
    result = assess(UserState.from_dict(VALID_STATE), locale="en", as_of=AS_OF)
    data = result.to_dict()
    data["added_later"] = {"anything": 1}
    data["route"]["added_later"] = True
    assert Assessment.from_dict(data) == result


def _broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(assess(UserState.from_dict(VALID_STATE), locale="en", as_of=AS_OF).to_dict())
    change(data)
    return data


def _set(key: str, value: object) -> Any:
    return lambda data: data.__setitem__(key, value)


@pytest.mark.parametrize(
    ("data", "problems"),
    [
        ("text", ["$: expected an object with fields, got 'text'"]),
        (
            _broken(_set("schema", "simcancel.assessment/2")),
            ["$.schema: expected 'simcancel.assessment/1', got 'simcancel.assessment/2'"],
        ),
        (
            _broken(_set("can_cancel_now", True)),
            ["$.can_cancel_now: expected false: it is true exactly when blocking is empty"],
        ),
        (_broken(_set("can_cancel_now", "no")), ["$.can_cancel_now: expected true or false, got 'no'"]),
        (_broken(_set("as_of", "20261124")), ["$.as_of: expected a date as 'YYYY-MM-DD', got '20261124'"]),
        (_broken(lambda data: data.pop("route")), ["$.route: required field is missing"]),
        (
            _broken(lambda data: data["route"].__setitem__("route", "x")),
            ["$.route.route: expected one of 'online', 'in_store', 'ask_provider', got 'x'"],
        ),
        (
            _broken(lambda data: data["blocking"][0].__setitem__("facts", {"balance": 1.5})),
            ["$.blocking[0].facts: expected a string, a whole number or a boolean, got 1.5"],
        ),
        (
            _broken(lambda data: data["blocking"][0].__setitem__("kind", "warning")),
            ["$.blocking[0].kind: expected 'blocking' in blocking, got 'warning'"],
        ),
        (
            _broken(lambda data: data["steps"][0].__setitem__("claims", "A4")),
            ["$.steps[0].claims: expected a list, got 'A4'"],
        ),
        (
            _broken(_set("labels", {"route.online": 1})),
            ["$.labels: expected an object of texts by label key, got {'route.online': 1}"],
        ),
        (
            _broken(lambda data: data["documents"][0].__setitem__("name", None)),
            ["$.documents[0].name: expected a string, got None"],
        ),
    ],
    ids=[
        "not an object",
        "other schema",
        "can_cancel_now disagrees",
        "can_cancel_now not a bool",
        "date form",
        "route missing",
        "route kind",
        "float fact",
        "issue in the wrong list",
        "claims not a list",
        "label not text",
        "document name null",
    ],
)
def test_anything_else_is_a_usage_error_listing_its_problems(data: object, problems: list[str]) -> None:
    """What to_dict cannot have written is refused: a UsageError naming data, each problem with its path."""
    with pytest.raises(UsageError) as caught:
        Assessment.from_dict(data)
    lines = str(caught.value).splitlines()
    assert lines[0].startswith(
        "data: expected an assessment as Assessment.to_dict() writes it (simcancel.assessment/1)"
    )
    assert [line.strip() for line in lines[1:]] == problems
