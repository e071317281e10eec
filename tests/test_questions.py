"""next_questions: only fields that can change the answer, ranked route first, with the figures
the ranking rests on; asking the top question reaches a determined route without repeats."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simcancel import (
    Certainty,
    PartialState,
    UserState,
    assess_partial,
    default_rules,
    load_rules,
    next_questions,
)
from simcancel._fields import FIELDS
from simcancel._interview_tree import question_counts
from simcancel._questions import question_labels
from simcancel.testing import user_states
from tests.packs import broken_pack, clean_state, freed_after

AS_OF = dt.date(2026, 11, 24)


def test_first_question_from_nothing_decides_the_route() -> None:
    """With nothing known, the top question is one whose answer can change the primary route."""
    questions = next_questions(PartialState(), locale="en", as_of=AS_OF)
    assert questions[0].field == "provider"
    assert questions[0].decides[0] == "route"
    assert questions[0].text == "Which provider is the SIM with?"
    assert [choice.value for choice in questions[0].choices] == sorted(default_rules().providers)


def test_ranking_puts_route_then_blocking_then_the_rest() -> None:
    """Fields deciding the route come before those deciding blocking, then the others."""
    questions = next_questions(PartialState(), locale="en", as_of=AS_OF)
    order = [("route" in q.decides, "blocking" in q.decides) for q in questions]
    ranks = [0 if route else 1 if blocking else 2 for route, blocking in order]
    assert ranks == sorted(ranks)


def test_figures_explain_each_question() -> None:
    """Each question lists, per class of answers, the routes left, blocking and open issues."""
    question = next(
        q for q in next_questions(PartialState(), locale="en", as_of=AS_OF) if q.field == "balance"
    )
    assert question.decides == ("blocking", "issues")
    by_label = {reply.label: reply for reply in question.replies}
    assert by_label["balance in [1, 100000000000]"].nothing_blocks is Certainty.IMPOSSIBLE
    assert by_label["balance = 0"].nothing_blocks is Certainty.OPEN
    assert {reply.example for reply in question.replies} == {"0.00", "0.01"}


def test_known_and_declined_fields_are_not_asked() -> None:
    """A field already answered, or answered "I do not know", is not asked again."""
    partial = PartialState.from_dict({"provider": "jazz", "balance": "unknown"})
    fields = {q.field for q in next_questions(partial, as_of=AS_OF)}
    assert "provider" not in fields
    assert "balance" not in fields


def test_fields_that_cannot_change_the_answer_are_not_asked() -> None:
    """Every question asked changes some part of the answer for some reply; a complete state
    leaves nothing to ask."""
    partial = PartialState.from_dict({"provider": "jazz", "arrears": "1"})
    before = assess_partial(partial, locale="en", as_of=AS_OF)
    for question in next_questions(partial, locale="en", as_of=AS_OF):
        assert question.field in before.depends_on
    state = UserState.from_dict(clean_state())
    assert next_questions(PartialState.from_state(state), as_of=AS_OF) == ()


@settings(max_examples=40, deadline=None)
@given(state=user_states(activated_on=st.none() | st.dates(max_value=AS_OF)))
def test_answering_the_top_question_determines_the_route(state: UserState) -> None:
    """Answering the top question with a person's true answers reaches a determined primary
    route in at most as many questions as there are fields, never asking a field twice."""
    truth = PartialState.from_state(state)
    partial = PartialState()
    asked: list[str] = []
    while assess_partial(partial, as_of=AS_OF).route is None:
        field = next_questions(partial, as_of=AS_OF)[0].field
        assert field not in asked
        asked.append(field)
        value = truth.known[field]
        partial = partial.answer(field, "unknown" if value is None else value)
    assert len(asked) <= len(FIELDS)


def test_the_question_tree_of_the_shipped_rules() -> None:
    """Over every class completion, the tree of top questions determines the route within the
    number of fields, without repeats, and far sooner than asking every field."""
    counts = question_counts(default_rules(), AS_OF)
    assert counts.repeated == 0
    assert counts.worst <= counts.fields
    assert counts.average < counts.fields / 4


def test_the_question_tree_from_a_declined_provider_ends() -> None:
    """From a start whose provider is declined the route may stay open with nothing left to
    ask: such a path is a leaf, not an IndexError."""
    counts = question_counts(default_rules(), AS_OF, PartialState.from_dict({"provider": "unknown"}))
    assert counts.repeated == 0
    assert counts.leaves > 0


@pytest.mark.parametrize("name", ["good", "route_gap", "non_monotone", "unsound_route", "dead_rule"])
def test_the_question_tree_of_packs(name: str, tmp_path: Path) -> None:
    """The same property on the good pack and broken packs that load."""
    counts = question_counts(load_rules(broken_pack(name, tmp_path)), AS_OF)
    assert counts.repeated == 0
    assert counts.worst <= counts.fields


def test_question_labels_cover_every_field_a_rule_reads() -> None:
    """The labels asking needs: every question of a field a rule reads, in every locale."""
    rules = default_rules()
    needed = question_labels(rules)
    assert "question.provider" in needed
    assert "question.services.recurring" in needed
    for locale in rules.locales:
        assert needed <= set(rules.labels[locale])


def test_a_rule_set_asked_about_is_freed_when_no_one_holds_it() -> None:
    """next_questions keeps its models per rule set, not the rule set."""
    assert freed_after(lambda rules: next_questions(PartialState(), rules=rules, as_of=AS_OF))
