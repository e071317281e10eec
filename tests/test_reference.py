"""The reference evaluator: its own semantics, and agreement with durable-rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simcancel import UserState, assess, default_rules, load_rules
from simcancel._engine import compiled, evaluate
from simcancel._facts import EngineValue, facts_for
from simcancel._reference import assess_reference, fired, holds, predicate
from simcancel._ruleset import AllOf, Always, AnyOf, Condition, Op
from simcancel._ruleset import Comparison as Cmp
from simcancel.testing import user_states
from tests.packs import issued_by

AS_OF = dt.date(2026, 11, 24)
GOOD_PACK = Path(__file__).parent / "fixtures" / "broken_packs" / "good"
FACTS: dict[str, EngineValue] = {"balance": 500, "discard_card": True, "plan": "prepaid"}

CASES: list[tuple[Condition, bool]] = [
    (Always(), True),
    (Cmp(fact="balance", op=Op.GT, value=499), True),
    (Cmp(fact="balance", op=Op.GT, value=500), False),
    (Cmp(fact="balance", op=Op.GTE, value=500), True),
    (Cmp(fact="balance", op=Op.LT, value=500), False),
    (Cmp(fact="balance", op=Op.LTE, value=500), True),
    (Cmp(fact="balance", op=Op.EQ, value=500), True),
    (Cmp(fact="balance", op=Op.NE, value=500), False),
    (Cmp(fact="plan", op=Op.IN, value=("postpaid", "prepaid")), True),
    (Cmp(fact="plan", op=Op.NOT_IN, value=("prepaid",)), False),
    # True == 1 in Python; the rule language keeps booleans and numbers apart.
    (Cmp(fact="discard_card", op=Op.EQ, value=1), False),
    (Cmp(fact="discard_card", op=Op.IN, value=(1,)), False),
    (Cmp(fact="discard_card", op=Op.NE, value=1), True),
    (
        AllOf(parts=(Cmp(fact="balance", op=Op.GT, value=0), Cmp(fact="plan", op=Op.EQ, value="postpaid"))),
        False,
    ),
    (
        AnyOf(parts=(Cmp(fact="balance", op=Op.GT, value=0), Cmp(fact="plan", op=Op.EQ, value="postpaid"))),
        True,
    ),
]


@pytest.mark.parametrize(("condition", "expected"), CASES)
def test_holds_and_predicate_follow_the_plain_meaning(condition: Condition, expected: bool) -> None:
    """Each operator and combinator means what the YAML says, in both evaluation paths."""
    assert holds(condition, FACTS) is expected
    assert predicate(condition)(FACTS) is expected


@given(user_states(activated_on=issued_by(AS_OF)))
def test_durable_fires_what_the_reference_fires_on_the_builtin_rules(state: UserState) -> None:
    """Differential: durable-rules and the reference agree on every generated state."""
    rules = default_rules()
    facts = facts_for(state, rules.provider(state.provider), AS_OF)
    assert evaluate(compiled(rules), facts) == fired(rules, facts)


@given(st.data())
def test_durable_fires_what_the_reference_fires_on_the_good_pack(data: st.DataObject) -> None:
    """Differential on a second, independent pack (the good test pack)."""
    rules = load_rules(GOOD_PACK)
    state = data.draw(user_states(activated_on=issued_by(AS_OF), rules=rules))
    facts = facts_for(state, rules.provider(state.provider), AS_OF)
    assert evaluate(compiled(rules), facts) == fired(rules, facts)


@given(user_states(activated_on=issued_by(AS_OF)))
def test_reference_assessment_equals_assess(state: UserState) -> None:
    """The whole assessment built from reference firings equals assess() through durable."""
    expected = assess(state, locale="en", as_of=AS_OF)
    assert assess_reference(state, rules=default_rules(), locale="en", as_of=AS_OF) == expected
