"""How many questions an interview takes: the decision tree of "ask the top question".

From a partial state, ask :func:`simcancel.next_questions`' first question and follow
every class of answers it can get, until the primary route is determined.  Over all
class completions of the state space this gives the exact number of questions each
person is asked, which :func:`question_counts` sums up (weighted by how many completions
reach each leaf) and compares with asking every field.
"""

from __future__ import annotations

import datetime as dt
import math

import attrs

from simcancel._partial import partial_inputs
from simcancel._partial_state import PartialState
from simcancel._questions import rank_questions
from simcancel._ruleset import RuleSet

__all__ = ["QuestionCounts", "question_counts"]


@attrs.frozen(kw_only=True)
class QuestionCounts:
    """Questions asked until the primary route is determined, over every class completion."""

    average: float
    """Weighted by the number of class completions reaching each leaf of the tree."""
    worst: int
    leaves: int
    """Distinct paths through the tree."""
    fields: int
    """How many fields there are: what asking every field costs."""
    repeated: int
    """Paths that asked a field twice (0 is the property)."""


def question_counts(rules: RuleSet, as_of: dt.date, start: PartialState | None = None) -> QuestionCounts:
    """Walk the tree of top questions from ``start`` (default: nothing known)."""
    total = 0.0
    weight_sum = 0
    worst = 0
    leaves = 0
    repeated = 0
    stack: list[tuple[PartialState, tuple[str, ...]]] = [(start or PartialState(), ())]
    fields = 0
    while stack:
        partial, asked = stack.pop()
        model, allowed = partial_inputs(partial, rules, as_of)
        fields = len(model.fields)
        questions = (
            rank_questions(
                model, allowed, declined=partial.declined, rules=rules, locale=rules.locales[0], as_of=as_of
            )
            if len(model.primaries(allowed)) > 1
            else ()
        )
        if not questions or "route" not in questions[0].decides:
            # the route is determined, or open with nothing left to ask that could settle it
            weight = math.prod(len(classes) for classes in allowed)
            total += weight * len(asked)
            weight_sum += weight
            worst = max(worst, len(asked))
            leaves += 1
            continue
        top = questions[0]
        if top.field in asked:
            repeated += 1
            continue
        stack.extend((partial.answer(top.field, reply.example), (*asked, top.field)) for reply in top.replies)
    return QuestionCounts(
        average=total / weight_sum if weight_sum else 0.0,
        worst=worst,
        leaves=leaves,
        fields=fields,
        repeated=repeated,
    )
