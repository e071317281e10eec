"""What would change the answer: the smallest changes of a state that give another answer.

Two goals: nothing blocks, and each alternative route becomes the recommended one.  The
search is exact over the state classes (:mod:`simcancel._statespace`): a *change* moves
one variable (a state path, or the fields of one derivation) to another of its classes,
and inside a class every rule gives the same verdict, so trying each class's
representative tries the whole class.  Only the variables the goal's rules read are
moved, never the provider's (a person cannot change who they are with), and the rules
are the reference evaluator's closures (:func:`simcancel._reference.predicates`), well
under a microsecond a rule.

Sets of variables are tried by increasing size; a set is reported when some choice of
other classes for its variables gives the goal and no smaller reported set is inside it.
As every smaller size was searched in full before, no strictly smaller set gives the goal:
each reported set is minimal, and with ``complete`` every minimal set is reported.  A
change is shown as the state path and the value :func:`simcancel._facts.state_for` writes
there; its words are the steps the assessment already shows for the rules it settles.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence

import attrs

from simcancel._decide import route_order
from simcancel._facts import CATALOGUE, Derivation, EngineValue, StatePath, state_for
from simcancel._memo import per_rule_set
from simcancel._reference import Predicate, predicates
from simcancel._ruleset import Rule, RuleKind, RuleSet
from simcancel._statespace import StateSpace, Variable, space_of
from simcancel.model import Assessment, ChangeSet, RouteKind, Stage, StateChange, Step, WhatIf, WhatIfGoal

__all__ = ["DEFAULT_MAX_SETS", "MAX_EVALUATIONS", "explore"]

DEFAULT_MAX_SETS = 5
"""How many minimal change sets a goal reports at most."""
MAX_EVALUATIONS = 100_000
"""Goal evaluations a search may spend before it stops, reporting itself incomplete."""

Facts = Mapping[str, EngineValue]
Goal = Callable[[Facts], bool]


@attrs.frozen(kw_only=True)
class _Lever:
    """A variable a person can move, with the state paths it writes."""

    variable: Variable
    paths: tuple[str, ...]


@per_rule_set
def _predicates(rules: RuleSet) -> Mapping[str, Predicate]:
    return dict(predicates(rules))


def _paths(variable: Variable) -> tuple[str, ...] | None:
    """The state paths a person changes to move ``variable``; ``None`` for the provider's."""
    source = CATALOGUE[variable.facts[0]].source
    if isinstance(source, StatePath):
        return (source.path,)
    assert isinstance(source, Derivation)
    return None if source.read_provider is not None else source.fields


def _levers(space: StateSpace, facts: Iterable[str]) -> tuple[_Lever, ...]:
    found = []
    for variable in space.variables_for(facts):
        paths = _paths(variable)
        if paths is not None:
            found.append(_Lever(variable=variable, paths=paths))
    return tuple(found)


def _current_class(variable: Variable, facts: Facts) -> int | None:
    """The class of ``variable`` that ``facts`` fall in (``None`` if none holds them)."""
    for index, boxes in enumerate(variable.members):
        for box in boxes:
            if all(low <= facts[fact] <= high for fact, (low, high) in box.items()):  # type: ignore[operator]
                return index
    return None


@attrs.frozen(kw_only=True)
class _Found:
    levers: tuple[_Lever, ...]
    facts: Mapping[str, EngineValue]
    """The whole fact with the change made."""


def _search(
    goal: Goal, levers: Sequence[_Lever], facts: Facts, *, max_sets: int
) -> tuple[list[_Found], bool]:
    """Minimal sets of levers, fewest first, and whether the search covered every size."""
    others = []
    for lever in levers:
        current = _current_class(lever.variable, facts)
        others.append([lever.variable.values[i] for i in range(len(lever.variable.values)) if i != current])
    found: list[_Found] = []
    taken: list[frozenset[int]] = []
    spent = 0
    for size in range(1, len(levers) + 1):
        for chosen in itertools.combinations(range(len(levers)), size):
            if any(earlier <= frozenset(chosen) for earlier in taken):
                continue  # a superset of a reported set is not minimal
            for values in itertools.product(*(others[index] for index in chosen)):
                spent += 1
                if spent > MAX_EVALUATIONS:
                    return found, False
                trial = dict(facts)
                for assignment in values:
                    trial.update(assignment)
                if goal(trial):
                    found.append(_Found(levers=tuple(levers[index] for index in chosen), facts=trial))
                    taken.append(frozenset(chosen))
                    break
            if len(found) >= max_sets:
                return found, False
    return found, True


def _change_set(
    found: _Found, facts: Facts, fired_now: Callable[[Facts], set[str]], steps: Sequence[Step], as_of: dt.date
) -> ChangeSet:
    data = state_for(found.facts, as_of)
    changes = [
        StateChange(path=path, value=_at(data, path)) for lever in found.levers for path in lever.paths
    ]
    settled = fired_now(facts) - fired_now(found.facts)
    return ChangeSet(
        changes=changes,
        steps=[step for step in steps if step.code in settled and step.stage is not Stage.ROUTE],
    )


def _at(data: Mapping[str, object], path: str) -> object:
    """The value at a dotted ``path`` of state data; ``None`` where it is absent."""
    found: object = data
    for key in path.split("."):
        if not isinstance(found, Mapping) or key not in found:
            return None
        found = found[key]
    return found


def explore(
    rules: RuleSet, facts: Facts, assessment: Assessment, *, as_of: dt.date, max_sets: int = DEFAULT_MAX_SETS
) -> WhatIf:
    """What would change ``assessment`` (of ``facts`` under ``rules``): see the module doc."""
    space = space_of(rules)
    tests = _predicates(rules)
    in_effect = [rule for rule in rules.rules if rule.in_effect(as_of)]
    issues = [rule for rule in in_effect if rule.kind is not RuleKind.ROUTE]
    blocking = [tests[rule.id] for rule in issues if rule.kind is RuleKind.BLOCKING]
    routes = sorted((rule for rule in in_effect if rule.kind is RuleKind.ROUTE), key=route_order)

    def fired_now(trial: Facts) -> set[str]:
        return {rule.id for rule in issues if tests[rule.id](trial)}

    def goal_for(target: RouteKind | None) -> tuple[Goal, tuple[Rule, ...]]:
        if target is None:
            return (lambda trial: not any(test(trial) for test in blocking)), tuple(
                rule for rule in issues if rule.kind is RuleKind.BLOCKING
            )

        def leads(trial: Facts) -> bool:
            primary = next((rule for rule in routes if tests[rule.id](trial)), None)
            return primary is not None and primary.route is target

        return leads, tuple(routes)

    def answer(target: RouteKind | None) -> WhatIfGoal:
        goal, read_by = goal_for(target)
        levers = _levers(space, (fact for rule in read_by for fact in rule.facts))
        found, complete = _search(goal, levers, facts, max_sets=max_sets)
        return WhatIfGoal(
            route=target,
            change_sets=[_change_set(one, facts, fired_now, assessment.steps, as_of) for one in found],
            complete=complete,
        )

    return WhatIf(
        unblock=answer(None) if assessment.blocking else None,
        routes=[answer(option.route) for option in assessment.alternatives],
    )
