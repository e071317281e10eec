"""Model value objects: UserState round trips, and the Assessment / Issue output side."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simcancel import (
    Assessment,
    Document,
    Issue,
    IssueKind,
    RouteKind,
    RouteOption,
    Stage,
    Step,
    UserState,
    assess,
)
from simcancel.testing import user_states
from tests.packs import clean_state


def _route() -> RouteOption:
    return RouteOption(
        route=RouteKind.ONLINE,
        code="route-online",
        reason="online works",
        claims=("A7",),
        facts=(("provider_online", "supported"),),
    )


def _assessment(**changes: Any) -> Assessment:
    base = Assessment(
        provider="simoptions",
        locale="en",
        as_of=dt.date(2026, 11, 24),
        ruleset="pack@1",
        blocking=(),
        warnings=(),
        advice=(),
        route=_route(),
        alternatives=(),
        documents=(Document(id="passport_copy", name="Copy of the passport"),),
        steps=(Step(stage=Stage.ROUTE, text="Log in", code="route-online", claims=("A7",)),),
        claims=("A7",),
    )
    return attrs.evolve(base, **changes)


@given(user_states())
def test_user_state_round_trips_through_dict(state: UserState) -> None:
    """``from_dict(to_dict())`` gives back an equal state."""
    assert UserState.from_dict(state.to_dict()) == state


@given(user_states())
def test_user_state_round_trips_through_json_text(state: UserState) -> None:
    """``to_dict()`` is JSON-ready and ``from_json`` of its text gives back an equal state."""
    text = json.dumps(state.to_dict(), ensure_ascii=False)
    assert UserState.from_json(text) == state
    assert UserState.from_json(text.encode("utf-8")) == state


@given(user_states())
def test_money_is_written_as_exact_pkr_strings(state: UserState) -> None:
    """Money leaves ``to_dict`` as a string with two decimals, never as a float."""
    data = state.to_dict()
    for key in ("balance", "arrears"):
        assert isinstance(data[key], str)
        assert Decimal(data[key]) == getattr(state, key)
        assert len(data[key].split(".")[1]) == 2


def test_can_cancel_now_follows_blocking() -> None:
    """``can_cancel_now`` is true exactly when there is no blocking issue."""
    blocking = Issue(
        code="balance-not-zero",
        kind=IssueKind.BLOCKING,
        message="m",
        fix="f",
        claims=("A4",),
        facts=(("balance", "1.00"),),
    )
    assert _assessment().can_cancel_now is True
    assert _assessment(blocking=(blocking,)).can_cancel_now is False
    assert _assessment(blocking=(blocking,)).to_dict()["can_cancel_now"] is False


def test_to_dict_shape_is_stable() -> None:
    """``to_dict`` gives the documented shape: enums as strings, facts as a mapping, dates ISO."""
    warning = Issue(
        code="unused-resources",
        kind=IssueKind.WARNING,
        message="lost",
        fix=None,
        claims=("A22", "A2"),
        facts=(("unused_data_mb", 5), ("unused_minutes", 0)),
    )
    data = _assessment(warnings=(warning,)).to_dict()
    assert data == {
        "schema": "simcancel.assessment/1",
        "provider": "simoptions",
        "locale": "en",
        "as_of": "2026-11-24",
        "ruleset": "pack@1",
        "can_cancel_now": True,
        "blocking": [],
        "warnings": [
            {
                "code": "unused-resources",
                "kind": "warning",
                "message": "lost",
                "fix": None,
                "claims": ["A22", "A2"],
                "facts": {"unused_data_mb": 5, "unused_minutes": 0},
            }
        ],
        "advice": [],
        "route": {
            "route": "online",
            "code": "route-online",
            "reason": "online works",
            "claims": ["A7"],
            "facts": {"provider_online": "supported"},
        },
        "alternatives": [],
        "documents": [{"id": "passport_copy", "name": "Copy of the passport"}],
        "steps": [{"stage": "route", "text": "Log in", "code": "route-online", "claims": ["A7"]}],
        "claims": ["A7"],
        "labels": {},
    }


def test_to_json_keeps_chinese_text_and_honours_indent() -> None:
    """``to_json`` writes UTF-8 characters as they are; ``indent=None`` gives one line."""
    result = _assessment(route=attrs.evolve(_route(), reason="支持在线销户"))
    assert "支持在线销户" in result.to_json()
    assert "\n" in result.to_json()
    assert "\n" not in result.to_json(indent=None)
    assert json.loads(result.to_json(indent=None)) == result.to_dict()


@given(user_states(), st.sampled_from(["en", "zh-CN", "ur"]), st.sampled_from([2, 0, 1, 4, -1, "\t"]))
def test_to_json_writes_what_json_dumps_writes_of_to_dict(
    state: UserState, locale: str, indent: int | str
) -> None:
    """The text ``to_json`` writes from the objects is ``json.dumps(to_dict(), indent=...)``'s."""
    result = assess(state, locale=locale, as_of=dt.date(2026, 11, 24))
    assert result.to_json(indent=indent) == json.dumps(result.to_dict(), ensure_ascii=False, indent=indent)


def test_to_json_writes_the_what_if_as_json_dumps_does() -> None:
    """An assessment with a what-if (written by the walk of its part) is ``json.dumps``'s text too."""
    state = UserState.from_dict(clean_state(arrears="3.10", line_status="suspended"))
    result = assess(state, locale="en", as_of=dt.date(2026, 11, 24), what_if=True)
    assert result.what_if is not None
    for indent in (2, 3):
        assert result.to_json(indent=indent) == json.dumps(
            result.to_dict(), ensure_ascii=False, indent=indent
        )


@pytest.mark.parametrize(
    "changes",
    [
        {"labels": {"route.online": "Online", "heading.x": '<>&"\\\n\u2028'}},
        {
            "route": attrs.evolve(
                _route(), facts=(("balance", "1.00"), ("count", 3), ("flag", True), ("no", False))
            )
        },
        {"route": attrs.evolve(_route(), facts=(("dup", 1), ("dup", 2)))},
        {"route": attrs.evolve(_route(), facts=(("amount", 1.5),))},  # type: ignore[arg-type]
        {"route": attrs.evolve(_route(), facts=(("nothing", None),))},  # type: ignore[arg-type]
        {"route": attrs.evolve(_route(), facts=((1, "not a string"),))},  # type: ignore[arg-type]
        {"labels": {"route.online": 7}},
        {"claims": ()},
        {"documents": (), "steps": ()},
    ],
)
def test_to_json_of_unusual_values_is_json_dumps_text(changes: dict[str, Any]) -> None:
    """Escapes, repeated fact names, floats, None, non-string keys and values: the same text
    as ``json.dumps`` (the writer leaves what it does not know to the walk of ``to_dict``)."""
    result = _assessment(**changes)
    for indent in (2, 0):
        assert result.to_json(indent=indent) == json.dumps(
            result.to_dict(), ensure_ascii=False, indent=indent
        )


def test_assessments_are_hashable_values() -> None:
    """Equal assessments are equal and hash alike, so they can key a cache."""
    state = UserState.from_dict(
        clean_state(
            provider="zong",
            plan="postpaid",
            arrears="3.10",
            line_status="suspended",
            situation={"can_visit_store": False, "reads_english": True},
        )
    )
    first = assess(state, locale="zh-CN", as_of=dt.date(2026, 1, 1))
    second = assess(state, locale="zh-CN", as_of=dt.date(2026, 1, 1))
    assert first == second
    assert hash(first) == hash(second)
    assert len({first, second}) == 1


def test_issue_facts_show_money_as_pkr_strings() -> None:
    """An issue's trigger facts carry money as PKR text, as in its message."""
    state = UserState.from_dict(
        clean_state(
            provider="zong",
            plan="postpaid",
            arrears="3.1",
            situation={"can_visit_store": False, "reads_english": True},
        )
    )
    [issue] = assess(state, locale="en", as_of=dt.date(2026, 1, 1)).blocking
    assert issue.facts == (("arrears", "3.10"),)
    assert "PKR 3.10" in issue.message


@pytest.mark.parametrize("cls", [Issue, RouteOption, Step, Document, Assessment])
def test_output_objects_are_frozen(cls: type) -> None:
    """Output value objects refuse assignment after construction."""
    instance: Any = {
        Issue: Issue(code="c", kind=IssueKind.ADVICE, message="m", fix=None, claims=(), facts=()),
        RouteOption: _route(),
        Step: _assessment().steps[0],
        Document: _assessment().documents[0],
        Assessment: _assessment(),
    }[cls]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(instance, attrs.fields(cls)[0].name, "changed")


def test_assessment_objects_built_from_lists_hold_tuples() -> None:
    """Lists given to Assessment, Issue, RouteOption and Step are stored as tuples, never shared."""
    claims = ["A5"]
    facts: list[tuple[str, str | int | bool]] = [("services_active", 1)]
    issue = Issue(code="c", kind=IssueKind.BLOCKING, message="m", fix=None, claims=claims, facts=facts)
    step = Step(stage=Stage.SERVICES, text="t", code="c", claims=claims)
    route = RouteOption(route=RouteKind.ONLINE, code="r", reason="r", claims=claims, facts=[["x", True]])  # type: ignore[list-item]
    result = _assessment(
        blocking=[issue],
        warnings=[],
        advice=[],
        route=route,
        alternatives=[route],
        steps=[step],
        claims=claims,
    )
    claims.append("HACKED")
    facts.clear()
    assert issue.claims == step.claims == route.claims == result.claims == ("A5",)
    assert issue.facts == (("services_active", 1),)
    assert route.facts == (("x", True),)
    for value in (result.blocking, result.warnings, result.alternatives, result.steps, result.documents):
        assert type(value) is tuple
    assert all(type(pair) is tuple for pair in route.facts)
    with pytest.raises(TypeError):
        Step(stage=Stage.SERVICES, text="t", code="c", claims="A5")


class _Spaces(str):
    __slots__ = ()


@attrs.frozen(kw_only=True)
class _Annotated(Assessment):
    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "note": "mine"}


@pytest.mark.parametrize(
    "indent", ["\t", "  ", "", _Spaces("--")], ids=["tab", "two spaces", "empty", "str subclass"]
)
def test_to_json_takes_a_text_indent_as_json_dumps_does(indent: str) -> None:
    """A string indent is each level's prefix, as json.dumps takes it (it raised TypeError)."""
    state = UserState.from_dict(clean_state(arrears="3.10", line_status="suspended"))
    for result in (_assessment(), assess(state, locale="ur", as_of=dt.date(2026, 11, 24), what_if=True)):
        assert result.to_json(indent=indent) == json.dumps(
            result.to_dict(), ensure_ascii=False, indent=indent
        )


def test_to_json_of_an_assessment_subclass_writes_its_to_dict() -> None:
    """A subclass's own to_dict is what to_json writes at every indent, not only indent=None."""
    result = _Annotated(
        **{field.name: getattr(_assessment(), field.name) for field in attrs.fields(Assessment)}
    )
    for indent in (None, 2, 0):
        assert json.loads(result.to_json(indent=indent))["note"] == "mine"
