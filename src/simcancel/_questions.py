"""The next question: which unknown field narrows the answer most, and why.

For each unknown field (not declined), every class of answers the rules tell apart is
tried on the partial state's box of classes (:mod:`simcancel._partial`), and what would
remain open is counted: the primary routes still possible, whether "nothing blocks" is
still open, and the issues still possible but not certain.  A field along which no part
of the answer changes inside the box is not asked.  The others are ranked by the primary
route first (fields that can change it, then the fewest routes left on average over their
classes of answers), then by blocking (fields that can settle it, then the fewest
answers that leave it open), then by the issues left open on average, then by the worst
case, then in field order.  Every figure is exact over the
classes; :attr:`Question.replies` exposes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from simcancel._fields import AnswerKind, Field
from simcancel._partial import Allowed, PartialModel, assess_partial_arguments, class_values, partial_inputs
from simcancel._partial_model import Certainty, Choice, Question, Reply
from simcancel._partial_state import UNKNOWN, PartialState
from simcancel._ruleset import RuleSet

__all__ = ["choices", "next_questions", "question_labels", "rank_questions"]


def next_questions(
    partial: PartialState,
    *,
    rules: RuleSet | None = None,
    locale: str = "zh-CN",
    as_of: dt.date | None = None,
) -> tuple[Question, ...]:
    """The unknown fields worth asking about ``partial``, best first.

    Fields already known, declined (answered "I do not know") or unable to change the
    answer are left out; an empty tuple means the answer is determined (or nothing left
    to ask can change it).  The other arguments are :func:`simcancel.assess`'s.
    """
    ruleset, locale, as_of = assess_partial_arguments(partial, rules, locale, as_of)
    model, allowed = partial_inputs(partial, ruleset, as_of)
    return rank_questions(
        model, allowed, declined=partial.declined, rules=ruleset, locale=locale, as_of=as_of
    )


def _open_issues(model: PartialModel, allowed: Allowed, variable: int, open_now: set[str]) -> int:
    """Issues open in ``allowed``, where only ``variable`` changed from a box whose open
    issues were ``open_now``: only the rules reading it are walked again."""
    reading = model.rules_reading.get(variable, [])
    count = len(open_now) - sum(1 for rule in reading if rule.id in open_now)
    return count + sum(1 for rule in reading if len(model.fires(rule, allowed)) == 2)


def _blocking_state(model: PartialModel, allowed: Allowed) -> Certainty:
    outcomes = model.blocking_outcomes(allowed)
    if outcomes == {False}:
        return Certainty.CERTAIN
    if outcomes == {True}:
        return Certainty.IMPOSSIBLE
    return Certainty.OPEN


def rank_questions(  # noqa: PLR0913 - the model, the box and how to word it
    model: PartialModel,
    allowed: Allowed,
    *,
    declined: frozenset[str],
    rules: RuleSet,
    locale: str,
    as_of: dt.date,
) -> tuple[Question, ...]:
    """:func:`next_questions` over a box of classes."""
    route_depends = set(model.route_depends(allowed))
    blocking_depends = set(model.blocking_depends(allowed))
    issue_depends: set[int] = set()
    open_rules = [rule for rule in model.issue_rules if len(model.fires(rule, allowed)) == 2]
    for rule in open_rules:
        issue_depends.update(model.rule_depends(rule, allowed))
    routes_now = len(model.primaries(allowed))
    blocking_now = _blocking_state(model, allowed)
    open_now = len(open_rules)
    open_ids = {rule.id for rule in open_rules}
    ranked: list[tuple[tuple[object, ...], Question]] = []
    for variable, field in enumerate(model.fields):
        if len(allowed[variable]) < 2 or field.path in declined:
            continue
        decides = tuple(
            name
            for name, found in (
                ("route", variable in route_depends),
                ("blocking", variable in blocking_depends),
                ("issues", variable in issue_depends),
            )
            if found
        )
        if not decides:
            continue
        examples = class_values(model, variable, allowed[variable], as_of)
        replies: list[Reply] = []
        for index, example in zip(allowed[variable], examples, strict=True):
            narrowed = (*allowed[:variable], (index,), *allowed[variable + 1 :])
            replies.append(
                Reply(
                    label=model.variables[variable].labels[index],
                    example=_example(field, example),
                    routes=len(model.primaries(narrowed)) if variable in model.route_vars else routes_now,
                    nothing_blocks=(
                        _blocking_state(model, narrowed) if variable in model.blocking_vars else blocking_now
                    ),
                    open_issues=(
                        _open_issues(model, narrowed, variable, open_ids) if "issues" in decides else open_now
                    ),
                )
            )
        count = len(replies)
        key = (
            "route" not in decides,
            sum(reply.routes for reply in replies) / count,
            "blocking" not in decides,
            sum(reply.nothing_blocks is Certainty.OPEN for reply in replies) / count,
            sum(reply.open_issues for reply in replies) / count,
            max(reply.routes for reply in replies),
            max(reply.open_issues for reply in replies),
            variable,
        )
        question = Question(
            field=field.path,
            text=_label(rules, locale, field.question_key),
            answer=field.answer.value,
            choices=choices(field, rules, locale),
            decides=decides,
            replies=replies,
        )
        ranked.append((key, question))
    ranked.sort(key=lambda pair: pair[0])
    return tuple(question for _, question in ranked)


def _example(field: Field, value: object) -> object:
    if field.answer is AnswerKind.DATE and value is None:
        return UNKNOWN
    return value


def _label(rules: RuleSet, locale: str, key: str) -> str:
    return rules.labels.get(locale, {}).get(key, key)


def choices(field: Field, rules: RuleSet, locale: str) -> tuple[Choice, ...]:
    """The answers to pick from for ``field`` in ``locale`` (empty: a value is typed)."""
    texts: Mapping[str, str] = rules.labels.get(locale, {})
    if field.answer is AnswerKind.BOOL:
        return (
            Choice(value=True, label=texts.get("answer.yes", "yes")),
            Choice(value=False, label=texts.get("answer.no", "no")),
        )
    if field.answer is AnswerKind.ENUM:
        return tuple(
            Choice(value=value, label=texts.get(f"{field.path}.{value}", value)) for value in field.values
        )
    if field.answer is AnswerKind.PROVIDER:
        return tuple(
            Choice(value=key, label=texts.get(f"provider.{key}", rules.providers[key].name))
            for key in sorted(rules.providers)
        )
    return ()


def question_labels(rules: RuleSet) -> set[str]:
    """The label keys asking about ``rules``' fields needs in every locale: each question a
    rule reads, the words of every enum answer, and the interview's own words."""
    from simcancel._fields import FIELDS  # noqa: PLC0415

    read = {fact for rule in rules.rules for fact in rule.facts}
    needed = set(INTERVIEW_LABELS)
    for field in FIELDS:
        if read & set(field.facts):
            needed.add(field.question_key)
            if field.answer is AnswerKind.ENUM:
                needed.update(f"{field.path}.{value}" for value in field.values)
            if field.answer is AnswerKind.SERVICES:
                needed.add("question.services.recurring")
    return needed


INTERVIEW_LABELS = (
    "answer.no",
    "answer.unknown",
    "answer.yes",
    "interview.after_day",
    "interview.amount",
    "interview.count",
    "interview.date",
    "interview.done",
    "interview.intro",
    "interview.invalid",
    "interview.pick",
    "interview.saved",
    "interview.stopped",
    "partial.depends_on",
    "partial.possible",
    "partial.routes",
    "partial.separator",
    "partial.unknown_value",
    "partial.verdict_open",
)
"""Labels every pack with questions has: answer words, the interview's prompts and the
words of a partial assessment."""
