"""Partial evaluation: what the rules say of every state a partial state may turn out to be.

The state space (:mod:`simcancel._statespace`) cuts every field into the classes the rules
tell apart, so a partial state is a box of classes: one class for each known field, every
class for each unknown one.  Each rule reads few fields, so whether it fires for *every*
or *some* class of the box is decided exactly by walking only its own fields' classes
(a table per rule, built once per rule set).  The primary route is a function of the
fields the route rules read, and "something blocks" of those the blocking rules read:
both are walked the same way.  Nothing here is sampled or guessed: every answer is exact
over the classes, and a class is exact for every state in it (every test a rule makes is
constant on it).
"""

from __future__ import annotations

import datetime as dt
import itertools
import weakref
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence

from simcancel._decide import SHOWN_LABELS, issue_rank, render_partial, route_order
from simcancel._errors import InvalidStateError, NoRouteError, Problem, shorten
from simcancel._facts import EngineValue, facts_for, state_for
from simcancel._fields import FIELD_BY_PATH, FIELDS, Field
from simcancel._memo import ForkSafeLock
from simcancel._partial_model import Certainty, PartialAssessment, PartialIssue, PossibleRoute
from simcancel._partial_state import PartialState
from simcancel._pysource import predicate_function
from simcancel._ruleset import Rule, RuleKind, RuleSet
from simcancel._statespace import StateSpace, _comparisons, space_of
from simcancel.model import Issue, IssueKind, RouteOption

__all__ = [
    "Allowed",
    "PartialModel",
    "assess_partial",
    "assess_partial_arguments",
    "check_activation",
    "class_values",
    "evaluate_partial",
    "partial_inputs",
    "partial_model",
    "unknown_text",
]

Allowed = tuple[tuple[int, ...], ...]
"""Per variable of the state space, the indices of the classes still possible."""

_ISSUE_KINDS = {RuleKind.BLOCKING, RuleKind.WARNING, RuleKind.ADVICE}


class PartialModel:
    """One rule set's rules in effect on one day, as tables over the classes of the fields
    they read."""

    def __init__(self, rules: RuleSet, space: StateSpace, as_of: dt.date) -> None:
        self.space = space
        self.variables = space.variables
        self.fields: tuple[Field, ...] = tuple(FIELDS)
        assert tuple(len(v.facts) for v in self.variables) == tuple(len(f.facts) for f in FIELDS)
        self.index = {field.path: index for index, field in enumerate(self.fields)}
        seen: set[str] = set()
        active: list[Rule] = []
        for rule in rules.rules:
            if rule.id not in seen:  # decide reads the first rule of an id
                seen.add(rule.id)
                if rule.in_effect(as_of):
                    active.append(rule)
        self.issue_rules = sorted(
            (rule for rule in active if rule.kind in _ISSUE_KINDS),
            key=lambda rule: issue_rank(rules, rule.id),
        )
        self.route_rules = sorted((rule for rule in active if rule.kind is RuleKind.ROUTE), key=route_order)
        self.reads: dict[str, tuple[int, ...]] = {}
        self.tables: dict[str, dict[tuple[int, ...], bool]] = {}
        for rule in (*self.issue_rules, *self.route_rules):
            self._table(rule)
        self.route_vars = _union(self.reads[rule.id] for rule in self.route_rules)
        self.blocking = [rule for rule in self.issue_rules if rule.kind is RuleKind.BLOCKING]
        self.blocking_vars = _union(self.reads[rule.id] for rule in self.blocking)
        self.examples: dict[tuple[int, int, dt.date], object] = {}
        """An example answer per (variable, class, day): see :func:`class_values`."""
        self.rules_reading: dict[int, list[Rule]] = {}
        for rule in self.issue_rules:
            for variable in self.reads[rule.id]:
                self.rules_reading.setdefault(variable, []).append(rule)
        self._primary: dict[tuple[int, ...], int | None] = {}
        self._blocked: dict[tuple[int, ...], bool] = {}

    def _table(self, rule: Rule) -> None:
        wanted = set(rule.facts)
        reads = tuple(i for i, variable in enumerate(self.variables) if wanted & set(variable.facts))
        holds = predicate_function(rule.when)
        table: dict[tuple[int, ...], bool] = {}
        for combination in itertools.product(*(range(len(self.variables[i].values)) for i in reads)):
            facts = dict(self.space.base)
            for i, value in zip(reads, combination, strict=True):
                facts.update(self.variables[i].values[value])
            table[combination] = holds(facts)
        self.reads[rule.id] = reads
        self.tables[rule.id] = table

    # --- what the tables say over a box of classes ---------------------------------------

    def everything(self) -> Allowed:
        """Every class of every variable: nothing known."""
        return tuple(tuple(range(len(variable.values))) for variable in self.variables)

    def allowed(self, facts: Mapping[str, EngineValue], known: Iterable[str]) -> Allowed:
        """The box of a partial state: the class of each known field's facts, all classes else."""
        known = set(known)
        return tuple(
            (self.class_of(index, facts),) if field.path in known else tuple(range(len(variable.values)))
            for index, (variable, field) in enumerate(zip(self.variables, self.fields, strict=True))
        )

    def class_of(self, index: int, facts: Mapping[str, EngineValue]) -> int:
        """The class of variable ``index`` a state's ``facts`` fall in.

        A pair of ``months_held`` and ``days_held`` that goes together on some days only
        (365 days held: 12 months, or 11 across a leap day) is in a class of the state space
        only when the rules cannot tell its possible month counts apart
        (``_facts._between_bands``); when they can (a rule cuts the months between 11 and
        12), it is in no class.  It then takes the class that every test of the rules in
        effect on the variable's facts answers alike: the tables give it exactly what they
        would give a class of its own.
        """
        variable = self.variables[index]
        found = variable.holding(facts)
        if found is not None:
            return found
        tests = self._tests(index)
        wanted = tuple(test(facts) for test in tests)
        for candidate, values in enumerate(variable.values):
            point = {**facts, **values}
            if tuple(test(point) for test in tests) == wanted:
                return candidate
        raise AssertionError(f"no class of {variable.name} holds {dict(facts)}")  # pragma: no cover

    def _tests(self, index: int) -> list[Callable[[Mapping[str, EngineValue]], bool]]:
        """Every comparison of the rules in effect on the facts of variable ``index``."""
        facts = set(self.variables[index].facts)
        return [
            predicate_function(test)
            for rule in (*self.issue_rules, *self.route_rules)
            for test in _comparisons(rule.when)
            if test.fact in facts
        ]

    def fires(self, rule: Rule, allowed: Allowed) -> set[bool]:
        """Whether ``rule`` fires, over every class of the box: ``{True}``, ``{False}`` or both."""
        table = self.tables[rule.id]
        found: set[bool] = set()
        for combination in itertools.product(*(allowed[i] for i in self.reads[rule.id])):
            found.add(table[combination])
            if len(found) == 2:
                break
        return found

    def primary(self, combination: tuple[int, ...]) -> int | None:
        """The index (in :attr:`route_rules`) of the primary route for classes of the route
        variables, ``None`` when no route rule fires."""
        found = self._primary.get(combination, -1)
        if found != -1:
            return found
        position = dict(zip(self.route_vars, combination, strict=True))
        result: int | None = None
        for index, rule in enumerate(self.route_rules):
            if self.tables[rule.id][tuple(position[i] for i in self.reads[rule.id])]:
                result = index
                break
        self._primary[combination] = result
        return result

    def blocked(self, combination: tuple[int, ...]) -> bool:
        """Whether some blocking rule fires for classes of the blocking variables."""
        found = self._blocked.get(combination)
        if found is None:
            position = dict(zip(self.blocking_vars, combination, strict=True))
            found = any(
                self.tables[rule.id][tuple(position[i] for i in self.reads[rule.id])]
                for rule in self.blocking
            )
            self._blocked[combination] = found
        return found

    def primaries(self, allowed: Allowed) -> set[int | None]:
        """Every primary route (index) over the box."""
        return {self.primary(c) for c in itertools.product(*(allowed[i] for i in self.route_vars))}

    def blocking_outcomes(self, allowed: Allowed) -> set[bool]:
        """Whether something blocks, over the box."""
        return {self.blocked(c) for c in itertools.product(*(allowed[i] for i in self.blocking_vars))}

    def depends(
        self, variables: tuple[int, ...], allowed: Allowed, outcome: Callable[[tuple[int, ...]], Hashable]
    ) -> tuple[int, ...]:
        """The variables among ``variables`` along which ``outcome`` changes inside the box:
        for each, two classes of the box differing only in it with different outcomes."""
        choices = [allowed[i] for i in variables]
        results = {c: outcome(c) for c in itertools.product(*choices)}
        found: list[int] = []
        for position, variable in enumerate(variables):
            if len(choices[position]) < 2:
                continue
            groups: dict[tuple[int, ...], Hashable] = {}
            for combination, result in results.items():
                rest = combination[:position] + combination[position + 1 :]
                if groups.setdefault(rest, result) != result:
                    found.append(variable)
                    break
        return tuple(found)

    def rule_depends(self, rule: Rule, allowed: Allowed) -> tuple[int, ...]:
        """The variables deciding whether ``rule`` fires inside the box."""
        reads = self.reads[rule.id]
        table = self.tables[rule.id]
        return self.depends(reads, allowed, table.__getitem__)

    def route_depends(self, allowed: Allowed) -> tuple[int, ...]:
        """The variables deciding the primary route inside the box."""
        return self.depends(self.route_vars, allowed, self.primary)

    def blocking_depends(self, allowed: Allowed) -> tuple[int, ...]:
        """The variables deciding whether something blocks inside the box."""
        return self.depends(self.blocking_vars, allowed, self.blocked)


def _union(groups: Iterable[tuple[int, ...]]) -> tuple[int, ...]:
    return tuple(sorted({index for group in groups for index in group}))


_MODELS: weakref.WeakKeyDictionary[RuleSet, dict[tuple[str, ...], PartialModel]] = weakref.WeakKeyDictionary()
_LOCK = ForkSafeLock()
_MODELS_KEPT = 16
"""Models kept per rule set (one per distinct set of rules in effect)."""
_EXAMPLES_KEPT = 4096
"""Example answers kept per model (a bound, not a tuning)."""


def partial_model(rules: RuleSet, as_of: dt.date) -> PartialModel:
    """The model of ``rules`` on ``as_of``, built once per set of rules in effect."""
    key = tuple(rule.id for rule in rules.rules if rule.in_effect(as_of))
    with _LOCK.lock:
        found = _MODELS.get(rules, {}).get(key)
        if found is not None:
            return found
        model = PartialModel(rules, space_of(rules), as_of)
        kept = _MODELS.setdefault(rules, {})
        if len(kept) >= _MODELS_KEPT:
            kept.clear()
        kept[key] = model
        return model


# --- the partial assessment ---------------------------------------------------------------


def _known_facts(
    partial: PartialState, rules: RuleSet, as_of: dt.date
) -> tuple[dict[str, EngineValue], frozenset[str]]:
    """The facts of a partial state's known fields, and the names of the facts not known."""
    state = partial.filled_state()
    provider_id = partial.known.get("provider")
    provider = (
        rules.provider(str(provider_id)) if provider_id is not None else next(iter(rules.providers.values()))
    )
    facts = facts_for(state, provider, as_of)
    unknown = frozenset(
        fact
        for field in FIELDS
        if field.path not in partial.known
        for fact in FIELD_BY_PATH[field.path].facts
    )
    return facts, unknown


def check_activation(partial: PartialState, as_of: dt.date) -> None:
    """Refuse an issue date after ``as_of``, as :func:`simcancel.assess` does."""
    value = partial.known.get("activated_on")
    if isinstance(value, str) and value > as_of.isoformat():
        raise InvalidStateError(
            [
                Problem(
                    path="$.activated_on",
                    message=f"expected a day on or before the assessment day {as_of.isoformat()}, "
                    f"got {value!r}, which is after it",
                )
            ]
        )


def assess_partial(
    partial: PartialState,
    *,
    rules: RuleSet | None = None,
    locale: str = "zh-CN",
    as_of: dt.date | None = None,
) -> PartialAssessment:
    """What the rules say of every state ``partial`` may turn out to be.

    The blocking issues, warnings and advice that hold for every completion
    (``certain=True``) or for some (with the unknown fields they depend on); every primary
    route some completion gets (one when it is determined); and whether "nothing blocks"
    is certain, impossible or open.  Exact, not sampled: see :mod:`simcancel._partial`.
    The other arguments are :func:`simcancel.assess`'s; a complete partial state gives
    what :func:`~simcancel.assess` gives, every issue certain.
    """
    ruleset, locale, as_of = assess_partial_arguments(partial, rules, locale, as_of)
    return evaluate_partial(
        partial, ruleset, locale=locale, as_of=as_of, unknown_text=unknown_text(ruleset, locale)
    )


def assess_partial_arguments(
    partial: object, rules: RuleSet | None, locale: object, as_of: dt.date | None
) -> tuple[RuleSet, str, dt.date]:
    """The checked arguments of :func:`assess_partial` and ``next_questions``."""
    from simcancel._assess import checked_arguments  # noqa: PLC0415 - _assess loads the rules

    ruleset, found, day = checked_arguments(rules, locale, as_of)
    if not isinstance(partial, PartialState):
        raise InvalidStateError(
            [
                Problem(
                    path="$",
                    message="expected a PartialState (build one with PartialState.from_dict), "
                    f"got {shorten(partial)}",
                )
            ]
        )
    check_activation(partial, day)
    return ruleset, found, day


def partial_inputs(partial: PartialState, rules: RuleSet, as_of: dt.date) -> tuple[PartialModel, Allowed]:
    """The model of ``rules`` on ``as_of`` and the box of classes ``partial`` allows."""
    model = partial_model(rules, as_of)
    facts, _unknown = _known_facts(partial, rules, as_of)
    return model, model.allowed(facts, partial.known)


def unknown_text(rules: RuleSet, locale: str) -> str:
    """How a value nobody knows yet shows in ``locale`` (the ``partial.unknown_value`` label)."""
    return rules.labels.get(locale, {}).get("partial.unknown_value", "?")


def evaluate_partial(
    partial: PartialState, rules: RuleSet, *, locale: str, as_of: dt.date, unknown_text: str
) -> PartialAssessment:
    """:func:`simcancel.assess_partial` once its arguments are checked."""
    model = partial_model(rules, as_of)
    facts, unknown_facts = _known_facts(partial, rules, as_of)
    allowed = model.allowed(facts, partial.known)
    fields = model.fields

    def names(indices: Iterable[int]) -> tuple[str, ...]:
        return tuple(fields[i].path for i in sorted(set(indices)))

    issues: list[tuple[Rule, bool, tuple[int, ...]]] = []
    for rule in model.issue_rules:
        outcomes = model.fires(rule, allowed)
        if True in outcomes:
            certain = outcomes == {True}
            issues.append((rule, certain, () if certain else model.rule_depends(rule, allowed)))
    primaries = model.primaries(allowed)
    if primaries == {None}:
        raise NoRouteError(
            f"rule set {rules.label} gives no route for any state consistent with what is "
            f"known; run `simcancel verify` on it to find the gap"
        )
    route_rules = [model.route_rules[index] for index in sorted(i for i in primaries if i is not None)]
    # None (no route, a gap) is an outcome too: what decides between it and a route counts
    route_depends = model.route_depends(allowed) if len(primaries) > 1 else ()
    blocking = model.blocking_outcomes(allowed)
    blocking_depends = model.blocking_depends(allowed) if len(blocking) > 1 else ()
    every_depends = [*route_depends, *blocking_depends]
    for _rule, _certain, depends in issues:
        every_depends.extend(depends)

    shown = render_partial(
        rules,
        [rule.id for rule, _, _ in issues] + [rule.id for rule in route_rules],
        facts,
        unknown=unknown_facts,
        unknown_text=unknown_text,
        locale=locale,
        as_of=as_of,
    )
    by_kind: dict[IssueKind, list[PartialIssue]] = {kind: [] for kind in IssueKind}
    for rule, certain, depends in issues:
        issue = shown[rule.id]
        assert isinstance(issue, Issue)
        by_kind[issue.kind].append(PartialIssue(issue=issue, certain=certain, depends_on=names(depends)))
    routes = []
    for rule in route_rules:
        option = shown[rule.id]
        assert isinstance(option, RouteOption)
        routes.append(PossibleRoute(option=option, depends_on=names(route_depends)))
    provider = partial.known.get("provider")
    return PartialAssessment(
        provider=None if provider is None else str(provider),
        locale=locale,
        as_of=as_of,
        ruleset=rules.label,
        unknown=partial.unknown,
        depends_on=names(every_depends),
        nothing_blocks=_certainty(blocking),
        blocking=by_kind[IssueKind.BLOCKING],
        warnings=by_kind[IssueKind.WARNING],
        advice=by_kind[IssueKind.ADVICE],
        routes=routes,
        route_gap=None in primaries,
        labels=_labels(rules, locale, None if provider is None else str(provider)),
    )


def _certainty(outcomes: set[bool]) -> Certainty:
    """From "something blocks" outcomes to whether nothing blocks."""
    if outcomes == {False}:
        return Certainty.CERTAIN
    if outcomes == {True}:
        return Certainty.IMPOSSIBLE
    return Certainty.OPEN


def _labels(rules: RuleSet, locale: str, provider: str | None) -> dict[str, str]:
    texts = rules.labels.get(locale, {})
    found = {key: text for key, text in texts.items() if key.startswith((*SHOWN_LABELS, "partial."))}
    if provider is not None:
        name = f"provider.{provider}"
        found[name] = texts.get(name, rules.providers[provider].name)
    return dict(sorted(found.items()))


def class_values(model: PartialModel, variable: int, allowed: Sequence[int], as_of: dt.date) -> list[object]:
    """An example answer (JSON) for each class of ``variable``: its representative."""
    path = model.fields[variable].path
    examples: list[object] = []
    for index in allowed:
        key = (variable, index, as_of)
        if key in model.examples:
            examples.append(model.examples[key])
            continue
        facts = dict(model.space.base)
        facts.update(model.variables[variable].values[index])
        data = state_for(facts, as_of)
        node: object = data
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if len(model.examples) < _EXAMPLES_KEPT:
            model.examples[key] = node
        examples.append(node)
    return examples
