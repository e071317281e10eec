"""The checks proved over the state space: totality, route soundness, monotonicity,
dead rules and overlaps, each a list of walks for :func:`run_check`.

Each check walks only the variables that can change its verdict (a rule's verdict depends
only on the facts it reads), so walking every combination of them is a proof over all
states; past ``max_classes`` combinations the walk samples instead, and says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping

import attrs

from simcancel._decide import decide, route_order
from simcancel._errors import NoRouteError
from simcancel._facts import EngineValue
from simcancel._reference import Predicate
from simcancel._ruleset import Rule, RuleKind, RuleSet
from simcancel._statespace import CHECKED_FACTS, StateSpace, Variable, state_space
from simcancel.analysis._options import DEFAULT_MAX_CLASSES, DEFAULT_SAMPLES, VerifyOptions
from simcancel.analysis._report import CheckResult
from simcancel.analysis._search import EveryState, Facts, Says, Search, Witness, run_check
from simcancel.model import RouteKind

__all__ = [
    "check_clearable",
    "check_dead_rules",
    "check_monotonicity",
    "check_overlaps",
    "check_route_soundness",
    "check_totality",
    "clearable",
    "dead_rules",
    "monotonicity",
    "overlaps",
    "route_soundness",
    "totality",
]


def _route_rules(rules: RuleSet) -> list[Rule]:
    return [rule for rule in rules.rules if rule.kind is RuleKind.ROUTE]


def _route_variables(search: Search) -> tuple[Variable, ...]:
    """The route rules' facts and the facts route soundness inspects."""
    facts = {fact for rule in _route_rules(search.rules) for fact in rule.facts}
    return search.space.variables_for(facts | CHECKED_FACTS)


def _offered(search: Search, facts: Mapping[str, EngineValue]) -> list[Rule]:
    """The routes an assessment offers: the primary first, then the first rule of each
    other route kind (the alternatives), as :func:`~simcancel._decide.decide` picks them."""
    routes = sorted(
        (
            rule
            for rule in _route_rules(search.rules)
            if rule.in_effect(search.options.as_of) and search.predicates[rule.id](facts)
        ),
        key=route_order,
    )
    offered: list[Rule] = []
    for rule in routes:
        if all(rule.route is not other.route for other in offered):
            offered.append(rule)
    return offered


DayWalk = Callable[[Search, str, str], EveryState]
"""A walk on one day: the search on that day, what the walk covers, and a prefix for problems."""


def _on_days(what: str, search: Search, walk: DayWalk) -> Iterator[EveryState]:
    """``walk`` on the options' day, then on each other day of :attr:`Search.days` (in date
    order); their walks name their day, and so does each problem they find (``as of
    2027-01-01: ``), so a failure today is shown before one on another day."""
    yield walk(search, what, "")
    for day in search.days:
        if day != search.options.as_of:
            yield walk(search.on(day), f"{what}, as of {day.isoformat()}", f"as of {day.isoformat()}: ")


def _options(as_of: dt.date | None, max_classes: int, samples: int) -> VerifyOptions:
    return VerifyOptions.of(as_of=as_of, max_classes=max_classes, samples=samples)


# --- totality -----------------------------------------------------------------------------


def totality(search: Search) -> CheckResult:
    """Every state gets exactly one primary route, and its assessment builds in every locale,
    on every day of :attr:`Search.days`."""
    rules = search.rules
    every_id = tuple(search.predicates)
    variables = _route_variables(search)

    def walk(on: Search, what: str, prefix: str) -> EveryState:
        def problem(facts: Facts) -> str | None:
            fired = on.fired(facts, every_id)
            try:
                for locale in rules.locales:
                    decide(rules, fired, facts, locale=locale, as_of=on.options.as_of)
            except NoRouteError:
                return (
                    f"{prefix}no route rule fires for provider {facts['provider']!r}: the state has no route"
                )
            except (KeyError, ValueError, IndexError) as error:
                return f"{prefix}the assessment cannot be built: {type(error).__name__}: {error}"
            return None

        return EveryState(what=what, variables=variables, problem=problem, search=on)

    return run_check(
        "totality",
        search,
        _on_days("the route rules' facts", search, walk),
        Says(
            ok="every state gets exactly one primary route",
            fail="some states get no route (a gap in the route table)",
        ),
    )


def check_totality(
    rules: RuleSet,
    *,
    as_of: dt.date | None = None,
    max_classes: int = DEFAULT_MAX_CLASSES,
    samples: int = DEFAULT_SAMPLES,
) -> CheckResult:
    """Every state gets exactly one primary route, and its assessment builds without error.

    Only route rules and the facts they read decide the route, so every combination of
    those facts' classes is checked; each is also rendered in every locale.
    """
    return totality(Search.of(rules, _options(as_of, max_classes, samples)))


# --- route soundness ----------------------------------------------------------------------


def _unfit(rule: Rule, facts: Facts, how: str) -> str | None:
    """Why offering ``rule``'s route (``how``: recommends, offers as an alternative) does not
    fit the provider or the person, or ``None``."""
    route = rule.route
    if route is RouteKind.ONLINE and (
        facts["provider_online"] != "supported" or facts["provider_in_person"] != "not_required"
    ):
        return (
            f"{rule.id} {how} online where provider_online = "
            f"{facts['provider_online']}, provider_in_person = {facts['provider_in_person']}"
        )
    if route is RouteKind.IN_STORE and not (facts["can_visit_store"] and facts["provider_has_store"]):
        return (
            f"{rule.id} {how} the store where can_visit_store = "
            f"{facts['can_visit_store']}, provider_has_store = {facts['provider_has_store']}"
        )
    return None


def route_soundness(search: Search) -> CheckResult:
    """The primary route and every alternative fit the provider and the person, on every
    day of :attr:`Search.days`."""
    variables = _route_variables(search)

    def walk(on: Search, what: str, prefix: str) -> EveryState:
        def problem(facts: Facts) -> str | None:
            offered = _offered(on, facts)
            if not offered:
                return None  # a gap is totality's finding
            primary, *alternatives = offered
            found = _unfit(primary, facts, "recommends")
            if (
                found is None
                and facts["provider_online"] == "unknown"
                and primary.route is not RouteKind.ASK_PROVIDER
            ):
                route = primary.route
                found = (
                    f"{primary.id} recommends {route.value if route else None} although the "
                    f"provider's online policy is unknown (A24: ask the provider)"
                )
            for alternative in alternatives:
                if found is None:
                    found = _unfit(alternative, facts, "offers as an alternative")
            return None if found is None else prefix + found

        return EveryState(what=what, variables=variables, problem=problem, search=on)

    return run_check(
        "route_soundness",
        search,
        _on_days("the route rules' facts", search, walk),
        Says(
            ok="every route offered fits the provider's policy and the person's situation",
            fail="some routes offered do not fit the provider or the person",
        ),
    )


def check_route_soundness(
    rules: RuleSet,
    *,
    as_of: dt.date | None = None,
    max_classes: int = DEFAULT_MAX_CLASSES,
    samples: int = DEFAULT_SAMPLES,
) -> CheckResult:
    """The primary route fits the provider and the person (A7, A11, A15, A17, A24).

    online only where the provider supports it and requires no in-person step; in store
    only where the person can visit and the provider has stores; ask the provider
    whenever its online policy is unknown.
    """
    return route_soundness(Search.of(rules, _options(as_of, max_classes, samples)))


# --- monotonicity -------------------------------------------------------------------------


def monotonicity(search: Search) -> CheckResult:
    """Fixing one blocking issue never adds another (one walk per variable)."""
    issues = [rule for rule in search.rules.rules if rule.kind is not RuleKind.ROUTE]
    blocking = {rule.id for rule in issues if rule.kind is RuleKind.BLOCKING}

    def walks() -> Iterator[EveryState]:
        for variable in search.space.variables:
            touched = [rule for rule in issues if set(variable.facts) & set(rule.facts)]
            if not any(rule.id in blocking for rule in touched) or len(variable.values) < 2:
                continue
            ids = [rule.id for rule in touched]
            facts_read = {fact for rule in touched for fact in rule.facts}
            yield EveryState(
                what=f"moves of {variable.name}",
                variables=search.space.variables_for(facts_read),
                problem=_moves_problem(search, variable, ids, blocking, facts_read),
            )

    return run_check(
        "monotonicity",
        search,
        walks(),
        Says(
            ok="fixing a blocking issue never adds another blocking issue",
            fail="some fix of a blocking issue adds another blocking issue",
        ),
    )


def _moves_problem(
    search: Search, variable: Variable, ids: list[str], blocking: set[str], facts_read: set[str]
) -> Callable[[Facts], str | None]:
    """What is wrong with moving ``variable`` from a state, if anything.

    The rules ``ids`` read ``facts_read`` only, so the blocking set after each move of a
    state depends on the other facts read alone: computed once per their values (one
    evaluation per class of the variable), and the verdict once per those values and the
    blocking set before.  Each state then costs one evaluation, which keeps the walk
    linear in its states instead of states x classes.
    """
    selection = search.selection(ids)
    moved = set(variable.facts).intersection(*(set(values) for values in variable.values))
    others = tuple(sorted(facts_read - moved))
    frozen_blocking = frozenset(blocking)
    afters: dict[tuple[EngineValue, ...], list[frozenset[str]]] = {}
    verdicts: dict[tuple[tuple[EngineValue, ...], frozenset[str]], str | None] = {}

    def problem(facts: Facts) -> str | None:
        before = frozenset(search.fired_in(facts, selection)) & frozen_blocking
        key = tuple([facts[name] for name in others])
        verdict_key = (key, before)
        if verdict_key in verdicts:
            return verdicts[verdict_key]
        after_sets = afters.get(key)
        if after_sets is None:
            after_sets = afters[key] = [
                frozenset(search.fired_in({**facts, **values}, selection)) & frozen_blocking
                for values in variable.values
            ]
        verdict = None
        for index, after in enumerate(after_sets):
            fixed, added = before - after, after - before
            if fixed and added:
                verdict = (
                    f"fixing {', '.join(sorted(fixed))} by moving to "
                    f"{variable.labels[index]} adds blocking {', '.join(sorted(added))}"
                )
                break
        verdicts[verdict_key] = verdict
        return verdict

    return problem


def check_monotonicity(
    rules: RuleSet,
    *,
    as_of: dt.date | None = None,
    max_classes: int = DEFAULT_MAX_CLASSES,
    samples: int = DEFAULT_SAMPLES,
) -> CheckResult:
    """Fixing one blocking issue never adds another.

    A move changes one variable (paying arrears, spending the balance, cancelling
    services, getting the passport, ...) to another class.  For every state and every
    move that switches a blocking issue off, no other blocking issue may switch on.  Only
    rules reading the moved variable can change, so each variable is checked over the
    classes of those rules' facts.
    """
    return monotonicity(Search.of(rules, _options(as_of, max_classes, samples)))


# --- clearable ----------------------------------------------------------------------------


def _one_class(variable: Variable, index: int) -> Variable:
    """``variable`` narrowed to its class ``index``."""
    return attrs.evolve(
        variable,
        values=(variable.values[index],),
        labels=(variable.labels[index],),
        members=(variable.members[index],) if variable.members else (),
    )


def _negated(holds: Predicate) -> Predicate:
    def cleared(facts: Mapping[str, EngineValue]) -> bool:
        return not holds(facts)

    return cleared


def clearable(search: Search) -> CheckResult:
    """Every blocking issue can be cleared: per provider, some state in which it does not fire."""
    space = search.space
    provider = next(variable for variable in space.variables if "provider" in variable.facts)
    days = search.days

    def walks() -> Iterator[Witness]:
        for rule in search.rules.rules:
            if rule.kind is not RuleKind.BLOCKING:
                continue
            cleared = _negated(search.predicates[rule.id])
            # The state shown blocks on a day the rule is in effect (assess would not fire it on
            # another): the options' day if it is one, else the first such stretch of dates.
            in_effect = [day for day in days if rule.in_effect(day)]
            shown_on = (
                search.options.as_of
                if not in_effect or rule.in_effect(search.options.as_of)
                else in_effect[0]
            )

            where = f"{rule.file}:{rule.line}"
            if provider not in space.variables_for(rule.facts):
                yield Witness(
                    what=f"rule {rule.id}'s facts, cleared",
                    note=rule.id,
                    facts=rule.facts,
                    holds=cleared,
                    missing=f"blocking rule {rule.id} ({where}) is cleared",
                    shown=dict(space.base),
                    shown_on=shown_on,
                )
                continue
            for index, label in enumerate(provider.labels):
                narrowed = _one_class(provider, index)
                variables = tuple(
                    narrowed if variable is provider else variable for variable in space.variables
                )
                base = {**space.base, **provider.values[index]}
                yield Witness(
                    what=f"rule {rule.id}'s facts, cleared with {label}",
                    note=rule.id,
                    facts=rule.facts,
                    holds=cleared,
                    missing=f"blocking rule {rule.id} ({where}) is cleared with {label} (no one changes it)",
                    space=StateSpace(variables=variables, base=base),
                    shown=base,
                    shown_on=shown_on,
                )

    return run_check(
        "clearable",
        search,
        walks(),
        Says(
            ok="every blocking issue can be cleared by some change of the state, the provider kept",
            fail="some blocking issues can never be cleared: nobody they hit can cancel",
        ),
    )


def check_clearable(
    rules: RuleSet,
    *,
    as_of: dt.date | None = None,
    max_classes: int = DEFAULT_MAX_CLASSES,
    samples: int = DEFAULT_SAMPLES,
) -> CheckResult:
    """Every blocking issue can be cleared by some change of the state.

    For each blocking rule and each provider class (the provider's policy is no change a
    person can make), some class of the rule's other facts must leave it silent; a rule
    that fires for every state of a provider keeps everyone with that provider from
    cancelling.
    """
    return clearable(Search.of(rules, _options(as_of, max_classes, samples)))


# --- dead rules ---------------------------------------------------------------------------


def dead_rules(search: Search) -> CheckResult:
    """Every rule fires for some state; rules that fire only for absent policies are latent."""
    hypothetical = state_space(search.rules, any_policy=True)
    walks = [
        Witness(
            what=f"rule {rule.id}'s facts",
            note=rule.id,
            facts=rule.facts,
            holds=search.predicates[rule.id],
            missing=f"rule {rule.id} ({rule.file}:{rule.line}) fires",
            latent=hypothetical,
            guard=search.guards.get(rule.id),
        )
        for rule in search.rules.rules
    ]
    return run_check(
        "dead_rules",
        search,
        walks,
        Says(
            ok="every rule fires for some state",
            fail="some rules never fire",
            notes="latent (fire only for provider policies this pack has no provider for)",
        ),
    )


def check_dead_rules(
    rules: RuleSet,
    *,
    as_of: dt.date | None = None,
    max_classes: int = DEFAULT_MAX_CLASSES,
    samples: int = DEFAULT_SAMPLES,
) -> CheckResult:
    """Every rule fires for some state: all classes of the rule's own facts are tried.

    A rule that fires for none of the rule set's providers, but would for a provider
    policy no provider file of the pack states yet (say ``in_person_confirmation:
    required``), is *latent*: it is reported in the message, and is not a failure, since
    packs add providers to the rules they extend.
    """
    return dead_rules(Search.of(rules, _options(as_of, max_classes, samples)))


# --- overlaps -----------------------------------------------------------------------------


def overlaps(search: Search) -> CheckResult:
    """No two route rows of equal priority and different routes fire for one state, on a
    day both are in effect (rows whose effective dates never meet cannot overlap)."""

    def walks() -> Iterator[EveryState]:
        routes = _route_rules(search.rules)
        for index, first in enumerate(routes):
            for second in routes[index + 1 :]:
                if first.priority != second.priority or first.route is second.route:
                    continue
                together = [day for day in search.days if first.in_effect(day) and second.in_effect(day)]
                if not together:
                    continue
                day = search.options.as_of if search.options.as_of in together else together[0]
                when = "" if day == search.options.as_of else f"as of {day.isoformat()}: "

                def problem(
                    facts: Facts, pair: tuple[Rule, Rule] = (first, second), when: str = when
                ) -> str | None:
                    if len(search.fired(facts, (rule.id for rule in pair))) < 2:
                        return None
                    one, other = pair
                    return (
                        f"{when}{one.id} ({one.route.value if one.route else None}) and "
                        f"{other.id} ({other.route.value if other.route else None}) both "
                        f"fire at priority {one.priority}"
                    )

                yield EveryState(
                    what=f"{first.id} with {second.id}",
                    variables=search.space.variables_for(first.facts + second.facts),
                    problem=problem,
                    search=search.on(day),
                )

    return run_check(
        "overlaps",
        search,
        walks(),
        Says(
            ok="no two route rows of equal priority disagree on a state",
            fail="route rows of equal priority overlap with different routes",
        ),
        per_walk=1,
    )


def check_overlaps(
    rules: RuleSet,
    *,
    as_of: dt.date | None = None,
    max_classes: int = DEFAULT_MAX_CLASSES,
    samples: int = DEFAULT_SAMPLES,
) -> CheckResult:
    """No two route rows with the same priority but different routes fire for one state."""
    return overlaps(Search.of(rules, _options(as_of, max_classes, samples)))
