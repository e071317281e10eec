"""Prove a rule set consistent: public checks over any :class:`~simcancel.RuleSet`.

>>> from simcancel import default_rules
>>> from simcancel.analysis import verify
>>> report = verify(default_rules())
>>> report.ok, report.exhaustive
(True, True)

Each ``check_*`` function takes a rule set and returns a :class:`CheckResult`;
:func:`verify` runs them all and returns a :class:`Report`.  Failures carry
:class:`Counterexample` s: a concrete state, as the JSON ``simcancel assess`` reads, and
what went wrong for it.

How the state-based checks search (see ``docs/verify.md``): the state space is cut into
the finite classes the rules can tell apart (:func:`state_space`).  Each check looks
only at the variables that can change its verdict (the route rules' facts for totality,
one rule's facts for dead rules, ...), and walks every combination of their classes with
the reference evaluator, which makes it a proof over all states.  When a check's
combinations exceed ``max_classes`` it samples states with Hypothesis instead, and says
so (``mode == "sampled"``).  The durable engine itself is checked against the reference
(``differential``) and for isolation (``purity``) on sampled states.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import string
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import yaml
from hypothesis import HealthCheck, given, settings

from simcancel import _engine
from simcancel._decide import decide, route_order
from simcancel._errors import NoRouteError, RuleFileError, SimcancelError
from simcancel._facts import EngineValue, facts_for, state_for
from simcancel._loader import load_rules
from simcancel._reference import Predicate, predicates
from simcancel._ruleset import Rule, RuleKind, RuleSet, claim_sort_key
from simcancel._statespace import StateSpace, Variable, state_space
from simcancel._yaml import parse_yaml
from simcancel.model import Assessment, RouteKind, UserState

__all__ = [
    "CHECKS",
    "CheckResult",
    "Counterexample",
    "DEFAULT_MAX_CLASSES",
    "Report",
    "StateSpace",
    "check_dead_rules",
    "check_differential",
    "check_i18n",
    "check_monotonicity",
    "check_overlaps",
    "check_purity",
    "check_route_soundness",
    "check_totality",
    "check_traceability",
    "state_space",
    "verify",
    "verify_paths",
]

CHECKS = (
    "load",
    "totality",
    "route_soundness",
    "monotonicity",
    "dead_rules",
    "overlaps",
    "differential",
    "purity",
    "traceability",
    "i18n",
)
"""Every check's name, in report order (``load`` only fails when a pack does not load)."""

DEFAULT_MAX_CLASSES = 2_000_000
"""Above this many combinations a check samples with Hypothesis instead of walking them."""
DEFAULT_SAMPLES = 200
_MAX_SHOWN = 3

Facts = dict[str, EngineValue]


@attrs.frozen(kw_only=True)
class Counterexample:
    """One concrete failure: the state (``None`` for a static finding) and the problem."""

    problem: str
    state: Mapping[str, Any] | None = None
    """A :class:`~simcancel.UserState` as JSON data, as ``simcancel assess`` reads it."""
    as_of: dt.date | None = None
    """The day the state was evaluated on (``activated_on`` is relative to it)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: ``problem``, ``as_of`` and ``state``."""
        return {
            "problem": self.problem,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "state": self.state,
        }


@attrs.frozen(kw_only=True)
class CheckResult:
    """The verdict of one check."""

    name: str
    ok: bool
    message: str
    counterexamples: tuple[Counterexample, ...] = ()
    mode: str = "static"
    """``exhaustive`` (every class), ``sampled`` (Hypothesis / random states) or ``static``."""
    evaluated: int = 0
    """How many states (or state pairs) were evaluated."""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "name": self.name,
            "ok": self.ok,
            "message": self.message,
            "mode": self.mode,
            "evaluated": self.evaluated,
            "seconds": round(self.seconds, 3),
            "counterexamples": [example.to_dict() for example in self.counterexamples],
        }


@attrs.frozen(kw_only=True)
class Report:
    """Every check's result for one rule set."""

    rules: str
    """The rule set's ``name@version``, or the directories when they did not load."""
    results: tuple[CheckResult, ...]
    classes: int = 0
    """How many classes the whole state space has."""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return all(result.ok for result in self.results)

    @property
    def exhaustive(self) -> bool:
        """True when no state-based check had to fall back to sampling."""
        return bool(self.results) and all(
            result.mode != "sampled"
            for result in self.results
            if result.name not in ("differential", "purity")
        )

    def result(self, name: str) -> CheckResult:
        """The result of the check called ``name`` (``KeyError`` if it did not run)."""
        for result in self.results:
            if result.name == name:
                return result
        raise KeyError(name)

    @property
    def failed(self) -> tuple[str, ...]:
        """The names of the checks that failed."""
        return tuple(result.name for result in self.results if not result.ok)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "rules": self.rules,
            "ok": self.ok,
            "exhaustive": self.exhaustive,
            "classes": self.classes,
            "seconds": round(self.seconds, 3),
            "checks": [result.to_dict() for result in self.results],
        }

    def render(self) -> str:
        """The report as text for people."""
        lines = [f"simcancel verify: {self.rules}"]
        if self.classes:
            how = (
                "exhaustive"
                if self.exhaustive
                else "NOT exhaustive: some checks sampled states with Hypothesis"
            )
            lines.append(f"state space: {self.classes} classes; {how}; {self.seconds:.2f} s")
        for result in self.results:
            status = "ok  " if result.ok else "FAIL"
            detail = f" [{result.mode}, {result.evaluated} evaluated]" if result.evaluated else ""
            lines.append(f"{status} {result.name}: {result.message}{detail}")
            for example in result.counterexamples:
                lines.append(f"     - {example.problem}")
                if example.state is not None:
                    day = example.as_of.isoformat() if example.as_of else "today"
                    lines.append(
                        f"       state (as of {day}): {json.dumps(example.state, ensure_ascii=False)}"
                    )
        lines.append(
            "verdict: "
            + ("consistent" if self.ok else f"{len(self.failed)} check(s) failed: {', '.join(self.failed)}")
        )
        return "\n".join(lines)


# --- searching the state space ------------------------------------------------------------


class _Search:
    """What a state-based check needs: the space, the reference predicates, options."""

    def __init__(self, rules: RuleSet, *, as_of: dt.date | None, max_classes: int, samples: int) -> None:
        self.rules = rules
        self.as_of = dt.date.today() if as_of is None else as_of
        self.max_classes = max_classes
        self.samples = samples
        self.space = state_space(rules)
        self.predicates: dict[str, Predicate] = dict(predicates(rules))

    def fired(self, facts: Mapping[str, EngineValue], ids: Iterable[str]) -> set[str]:
        return {rule_id for rule_id in ids if self.predicates[rule_id](facts)}

    def example(self, facts: Mapping[str, EngineValue], problem: str) -> Counterexample:
        return Counterexample(problem=problem, state=state_for(facts, self.as_of), as_of=self.as_of)

    def run(
        self, variables: Sequence[Variable], problem: Callable[[Facts], str | None]
    ) -> tuple[str, int, list[Counterexample]]:
        """Walk every combination of ``variables`` or, past ``max_classes``, sample states."""
        if StateSpace.count(variables) <= self.max_classes:
            found: list[Counterexample] = []
            evaluated = 0
            for facts in self.space.assignments(variables):
                evaluated += 1
                message = problem(facts)
                if message is not None:
                    found.append(self.example(facts, message))
                    if len(found) >= _MAX_SHOWN:
                        break
            return "exhaustive", evaluated, found
        return self._sample(problem)

    def _sample(self, problem: Callable[[Facts], str | None]) -> tuple[str, int, list[Counterexample]]:
        # simcancel.testing imports this module (assert_consistent), hence the late import.
        from simcancel.testing import user_states  # noqa: PLC0415

        failing: list[tuple[Facts, str]] = []
        count = 0

        @settings(
            max_examples=self.samples,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(user_states(rules=self.rules))
        def search(state: UserState) -> None:
            nonlocal count
            count += 1
            facts = facts_for(state, self.rules.provider(state.provider), self.as_of)
            message = problem(facts)
            if message is not None:
                failing.append((facts, message))
                raise AssertionError(message)

        try:
            search()
        except AssertionError:
            # Hypothesis replays the shrunk example last: that is the one to show.
            facts, message = failing[-1]
            return "sampled", count, [self.example(facts, message)]
        return "sampled", count, []


def _result(
    name: str,
    started: float,
    mode: str,
    evaluated: int,
    found: Sequence[Counterexample],
    ok_message: str,
    fail_message: str,
) -> CheckResult:
    return CheckResult(
        name=name,
        ok=not found,
        message=fail_message if found else ok_message,
        counterexamples=tuple(found),
        mode=mode,
        evaluated=evaluated,
        seconds=time.perf_counter() - started,
    )


def _merge_mode(modes: Iterable[str]) -> str:
    seen = set(modes)
    return "sampled" if "sampled" in seen else "exhaustive"


def _route_rules(rules: RuleSet) -> list[Rule]:
    return [rule for rule in rules.rules if rule.kind is RuleKind.ROUTE]


def _primary(search: _Search, facts: Mapping[str, EngineValue]) -> Rule | None:
    routes = [
        rule
        for rule in _route_rules(search.rules)
        if rule.in_effect(search.as_of) and search.predicates[rule.id](facts)
    ]
    return min(routes, key=route_order) if routes else None


def _route_variables(search: _Search) -> tuple[Variable, ...]:
    facts = {fact for rule in _route_rules(search.rules) for fact in rule.facts}
    return search.space.variables_for(
        facts | {"provider_online", "provider_in_person", "provider_has_store", "can_visit_store"}
    )


# --- the checks ---------------------------------------------------------------------------


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
    started = time.perf_counter()
    search = _Search(rules, as_of=as_of, max_classes=max_classes, samples=samples)
    every_id = tuple(search.predicates)

    def problem(facts: Facts) -> str | None:
        fired = search.fired(facts, every_id)
        try:
            for locale in rules.locales:
                decide(rules, fired, facts, locale=locale, as_of=search.as_of)
        except NoRouteError:
            return f"no route rule fires for provider {facts['provider']!r}: the state has no route"
        except (KeyError, ValueError, IndexError) as error:
            return f"the assessment cannot be built: {type(error).__name__}: {error}"
        return None

    mode, evaluated, found = search.run(_route_variables(search), problem)
    return _result(
        "totality",
        started,
        mode,
        evaluated,
        found,
        "every state gets exactly one primary route",
        "some states get no route (a gap in the route table)",
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
    started = time.perf_counter()
    search = _Search(rules, as_of=as_of, max_classes=max_classes, samples=samples)

    def problem(facts: Facts) -> str | None:
        primary = _primary(search, facts)
        if primary is None:
            return None  # a gap is totality's finding
        route = primary.route
        if route is RouteKind.ONLINE and (
            facts["provider_online"] != "supported" or facts["provider_in_person"] != "not_required"
        ):
            return (
                f"{primary.id} recommends online where provider_online = "
                f"{facts['provider_online']}, provider_in_person = {facts['provider_in_person']}"
            )
        if route is RouteKind.IN_STORE and not (facts["can_visit_store"] and facts["provider_has_store"]):
            return (
                f"{primary.id} recommends the store where can_visit_store = "
                f"{facts['can_visit_store']}, provider_has_store = {facts['provider_has_store']}"
            )
        if facts["provider_online"] == "unknown" and route is not RouteKind.ASK_PROVIDER:
            return (
                f"{primary.id} recommends {route.value if route else None} although the "
                f"provider's online policy is unknown (A24: ask the provider)"
            )
        return None

    mode, evaluated, found = search.run(_route_variables(search), problem)
    return _result(
        "route_soundness",
        started,
        mode,
        evaluated,
        found,
        "every primary route fits the provider's policy and the person's situation",
        "some primary routes do not fit the provider or the person",
    )


def check_monotonicity(
    rules: RuleSet,
    *,
    as_of: dt.date | None = None,
    max_classes: int = DEFAULT_MAX_CLASSES,
    samples: int = DEFAULT_SAMPLES,
) -> CheckResult:
    """Fixing one blocking issue never adds one; adding a problem never removes an unrelated issue.

    A move changes one variable (paying arrears, spending the balance, cancelling
    services, getting the passport, ...) to another class.  For every state and every
    move that switches a blocking issue off, no other blocking issue may switch on.  For
    the reverse move (the problem comes back), every issue that disappears must read a
    fact the move changed.  Only rules reading the moved variable can change, so each
    variable is checked over the classes of those rules' facts.
    """
    started = time.perf_counter()
    search = _Search(rules, as_of=as_of, max_classes=max_classes, samples=samples)
    issues = [rule for rule in rules.rules if rule.kind is not RuleKind.ROUTE]
    blocking = {rule.id for rule in issues if rule.kind is RuleKind.BLOCKING}
    modes: list[str] = []
    evaluated = 0
    found: list[Counterexample] = []
    for variable in search.space.variables:
        moved = set(variable.facts)
        touched = [rule for rule in issues if moved & set(rule.facts)]
        if not any(rule.id in blocking for rule in touched) or len(variable.values) < 2:
            continue
        ids = [rule.id for rule in touched]
        facts_read = {fact for rule in touched for fact in rule.facts}

        def problem(
            facts: Facts, variable: Variable = variable, ids: list[str] = ids, moved: set[str] = moved
        ) -> str | None:
            before = search.fired(facts, ids)
            for index, values in enumerate(variable.values):
                after_facts = {**facts, **values}
                after = search.fired(after_facts, ids)
                fixed = (before - after) & blocking
                added = (after - before) & blocking
                if fixed and added:
                    return (
                        f"fixing {', '.join(sorted(fixed))} by moving to "
                        f"{variable.labels[index]} adds blocking {', '.join(sorted(added))}"
                    )
                gained = (before - after) & blocking
                lost = [
                    rule_id for rule_id in after - before if not moved & set(search.rules.rule(rule_id).facts)
                ]
                if gained and lost:
                    return f"adding {', '.join(sorted(gained))} removes unrelated {', '.join(sorted(lost))}"
            return None

        mode, count, examples = search.run(search.space.variables_for(facts_read), problem)
        modes.append(mode)
        evaluated += count
        found.extend(examples[: _MAX_SHOWN - len(found)])
    return _result(
        "monotonicity",
        started,
        _merge_mode(modes),
        evaluated,
        found,
        "fixing a blocking issue never adds one, and adding a problem never removes an unrelated issue",
        "some fix of a blocking issue adds another blocking issue",
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
    started = time.perf_counter()
    search = _Search(rules, as_of=as_of, max_classes=max_classes, samples=samples)
    hypothetical = state_space(rules, any_policy=True)
    modes: list[str] = []
    evaluated = 0
    found: list[Counterexample] = []
    latent: list[str] = []
    for rule in rules.rules:
        holds = search.predicates[rule.id]
        mode, count, alive = _fires_somewhere(search, search.space, rule, holds)
        modes.append(mode)
        evaluated += count
        if alive:
            continue
        _, extra, alive_elsewhere = _fires_somewhere(search, hypothetical, rule, holds)
        evaluated += extra
        if alive_elsewhere:
            latent.append(rule.id)
            continue
        how = f"all {count} classes of its facts" if mode == "exhaustive" else f"{count} sampled states"
        found.append(
            Counterexample(
                problem=f"rule {rule.id} ({rule.file}:{rule.line}) fires for none of {how}, "
                f"whatever the provider's policy"
            )
        )
    note = (
        f"; latent (fire only for provider policies this pack has no provider for): {', '.join(latent)}"
        if latent
        else ""
    )
    return _result(
        "dead_rules",
        started,
        _merge_mode(modes),
        evaluated,
        found[:_MAX_SHOWN],
        "every rule fires for some state" + note,
        "some rules never fire" + note,
    )


def _fires_somewhere(
    search: _Search, space: StateSpace, rule: Rule, holds: Predicate
) -> tuple[str, int, bool]:
    variables = space.variables_for(rule.facts)
    if StateSpace.count(variables) <= search.max_classes:
        count = 0
        for facts in space.assignments(variables):
            count += 1
            if holds(facts):
                return "exhaustive", count, True
        return "exhaustive", count, False
    # Too many classes: random classes of the rule's own facts (no shrinking needed to
    # show that a rule fires, and the hypothetical providers are no UserState).
    chooser = random.Random(rule.id)
    for count in range(1, search.samples + 1):
        facts = dict(space.base)
        for variable in variables:
            facts.update(chooser.choice(variable.values))
        if holds(facts):
            return "sampled", count, True
    return "sampled", search.samples, False


def check_overlaps(
    rules: RuleSet,
    *,
    as_of: dt.date | None = None,
    max_classes: int = DEFAULT_MAX_CLASSES,
    samples: int = DEFAULT_SAMPLES,
) -> CheckResult:
    """No two route rows with the same priority but different routes fire for one state."""
    started = time.perf_counter()
    search = _Search(rules, as_of=as_of, max_classes=max_classes, samples=samples)
    routes = _route_rules(rules)
    modes: list[str] = []
    evaluated = 0
    found: list[Counterexample] = []
    for index, first in enumerate(routes):
        for second in routes[index + 1 :]:
            if first.priority != second.priority or first.route is second.route:
                continue
            both = (first.id, second.id)

            def problem(facts: Facts, both: tuple[str, str] = both) -> str | None:
                if len(search.fired(facts, both)) == 2:
                    rule_a, rule_b = (search.rules.rule(rule_id) for rule_id in both)
                    return (
                        f"{rule_a.id} ({rule_a.route.value if rule_a.route else None}) and "
                        f"{rule_b.id} ({rule_b.route.value if rule_b.route else None}) both "
                        f"fire at priority {rule_a.priority}"
                    )
                return None

            mode, count, examples = search.run(
                search.space.variables_for(first.facts + second.facts), problem
            )
            modes.append(mode)
            evaluated += count
            found.extend(examples[:1])
    return _result(
        "overlaps",
        started,
        _merge_mode(modes) if modes else "exhaustive",
        evaluated,
        found[:_MAX_SHOWN],
        "no two route rows of equal priority disagree on a state",
        "route rows of equal priority overlap with different routes",
    )


def _covering_states(search: _Search) -> Iterator[Facts]:
    """Every class of every rule's own facts, the other facts at their first class."""
    seen: set[tuple[EngineValue, ...]] = set()
    for rule in search.rules.rules:
        variables = search.space.variables_for(rule.facts)
        if StateSpace.count(variables) > search.max_classes:
            continue
        for facts in search.space.assignments(variables):
            key = tuple(facts.values())
            if key not in seen:
                seen.add(key)
                yield facts


def _random_states(search: _Search, count: int, seed: int = 20261124) -> list[Facts]:
    """``count`` states drawn from the classes, numbers anywhere inside their interval."""
    chooser = random.Random(seed)
    states = []
    for _ in range(count):
        facts = dict(search.space.base)
        for variable in search.space.variables:
            facts.update(chooser.choice(variable.values))
        states.append(facts)
    return states


def check_differential(
    rules: RuleSet,
    *,
    as_of: dt.date | None = None,
    max_classes: int = DEFAULT_MAX_CLASSES,
    samples: int = DEFAULT_SAMPLES,
) -> CheckResult:
    """durable-rules fires exactly the rules the reference evaluator fires.

    States: every class of each rule's own facts (others fixed), then ``samples``
    Hypothesis states.  A rule set durable refuses to compile fails here too: the
    reference evaluates it, durable does not.
    """
    started = time.perf_counter()
    search = _Search(rules, as_of=as_of, max_classes=max_classes, samples=samples)
    every_id = tuple(search.predicates)
    try:
        engine_rules = _engine.compiled(rules)
    except SimcancelError as error:
        example = search.example(
            dict(search.space.base),
            f"durable-rules cannot evaluate the rule set the reference evaluates: {error}",
        )
        return _result(
            "differential",
            started,
            "sampled",
            0,
            [example],
            "",
            "durable-rules refuses a rule set the loader accepted",
        )

    def problem(facts: Facts) -> str | None:
        expected = search.fired(facts, every_id)
        try:
            actual = set(_engine.evaluate(engine_rules, facts))
        except SimcancelError as error:
            return f"durable-rules failed where the reference did not: {error}"
        if actual == expected:
            return None
        extra, missing = sorted(actual - expected), sorted(expected - actual)
        return (
            f"durable fired {extra or 'nothing more'} beyond the reference, and missed {missing or 'nothing'}"
        )

    found: list[Counterexample] = []
    evaluated = 0
    for facts in _covering_states(search):
        evaluated += 1
        message = problem(facts)
        if message is not None:
            found.append(search.example(facts, message))
            if len(found) >= _MAX_SHOWN:
                break
    if not found:
        _, count, found = search._sample(problem)
        evaluated += count
    return _result(
        "differential",
        started,
        "sampled",
        evaluated,
        found,
        "durable-rules and the reference evaluator agree on every state tried",
        "durable-rules and the reference evaluator disagree",
    )


def _reordered_copy(rules: RuleSet, target: Path) -> list[Path]:
    """Copies of ``rules``' packs with rule files, providers and rules in reverse order."""
    copies = []
    for index, source in enumerate(rules.sources):
        origin = Path(source)
        pack = target / f"{index}" / origin.name
        shutil.copytree(origin, pack)
        rule_files = sorted(
            path for path in pack.glob("*.yaml") if path.name not in {"ruleset.yaml", "claims.yaml"}
        )
        providers = sorted((pack / "providers").glob("*.yaml"))
        for files in (rule_files, providers):
            for position, path in enumerate(reversed(files)):
                path.rename(path.with_name(f"{position:03d}-{path.name}"))
        for path in sorted(pack.glob("*.yaml")):
            if path.name in {"ruleset.yaml", "claims.yaml"}:
                continue
            document = parse_yaml(path.read_bytes(), path.name)
            data = getattr(document, "data", None)
            if isinstance(data, dict) and isinstance(data.get("rules"), list):
                data["rules"].reverse()
                path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        copies.append(pack)
    return copies


def check_purity(
    rules: RuleSet,
    *,
    as_of: dt.date | None = None,
    max_classes: int = DEFAULT_MAX_CLASSES,
    samples: int = DEFAULT_SAMPLES,
) -> CheckResult:
    """The same state gets the same assessment through durable, whatever ran before.

    On ``samples`` states: evaluated in order, in reverse order, from four threads at
    once, with the rules in reverse order in memory, and (for packs loaded from
    directories) reloaded from copies whose rule files, providers and rules within each
    file come in reverse order.
    """
    started = time.perf_counter()
    search = _Search(rules, as_of=as_of, max_classes=max_classes, samples=samples)
    states = _random_states(search, max(samples // 4, 10))
    locale = rules.locales[0]

    def assess_all(ruleset: RuleSet, order: Iterable[int]) -> dict[int, dict[str, Any] | str]:
        engine_rules = _engine.compiled(ruleset)
        answers: dict[int, dict[str, Any] | str] = {}
        for index in order:
            answers[index] = _assess_facts(ruleset, engine_rules, states[index], locale, search.as_of)
        return answers

    indexes = list(range(len(states)))
    try:
        baseline = assess_all(rules, indexes)
        variants: list[tuple[str, Callable[[], dict[int, dict[str, Any] | str]]]] = [
            ("evaluated again in reverse order", lambda: assess_all(rules, reversed(indexes))),
            ("evaluated from 4 threads at once", lambda: _threaded(rules, states, locale, search.as_of)),
            (
                "with the rules in reverse order",
                lambda: assess_all(attrs.evolve(rules, rules=tuple(reversed(rules.rules))), indexes),
            ),
        ]
        with tempfile.TemporaryDirectory(prefix="simcancel-verify-") as scratch:
            if rules.sources and all(Path(source).is_dir() for source in rules.sources):
                copies = _reordered_copy(rules, Path(scratch))
                reloaded = load_rules(*copies)
                variants.append(
                    ("reloaded with files and rules in reverse order", lambda: assess_all(reloaded, indexes))
                )
            found: list[Counterexample] = []
            for description, run in variants:
                answers = run()
                for index in indexes:
                    if answers[index] != baseline[index]:
                        found.append(
                            search.example(states[index], f"the assessment changes when {description}")
                        )
                        break
    except SimcancelError as error:
        return _result(
            "purity",
            started,
            "sampled",
            0,
            [search.example(states[0], f"durable-rules failed: {error}")],
            "",
            "durable-rules could not evaluate the rule set, so isolation is unproven (see differential)",
        )
    return _result(
        "purity",
        started,
        "sampled",
        len(states) * 5,
        found[:_MAX_SHOWN],
        "same state, same assessment: in any order, any thread, any rule order",
        "the assessment of a state depends on something besides the state",
    )


def _assess_facts(
    rules: RuleSet, engine_rules: _engine.CompiledRules, facts: Facts, locale: str, as_of: dt.date
) -> dict[str, Any] | str:
    try:
        result: Assessment = decide(
            rules, _engine.evaluate(engine_rules, facts), facts, locale=locale, as_of=as_of
        )
    except NoRouteError as error:
        return f"{type(error).__name__}: {error}"
    return result.to_dict()


def _threaded(
    rules: RuleSet, states: Sequence[Facts], locale: str, as_of: dt.date
) -> dict[int, dict[str, Any] | str]:
    engine_rules = _engine.compiled(rules)
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(
            pool.map(lambda facts: _assess_facts(rules, engine_rules, facts, locale, as_of), states)
        )
    return dict(enumerate(answers))


def check_traceability(rules: RuleSet) -> CheckResult:
    """Every rule cites claims of the register; every claim is cited by a rule or excused."""
    started = time.perf_counter()
    found: list[Counterexample] = []
    for rule in rules.rules:
        if not rule.claims:
            found.append(Counterexample(problem=f"rule {rule.id} ({rule.file}:{rule.line}) cites no claim"))
        for claim in rule.claims:
            if claim not in rules.claims:
                found.append(Counterexample(problem=f"rule {rule.id} cites unknown claim {claim}"))
    cited = {claim for rule in rules.rules for claim in rule.claims}
    for claim_id in sorted(rules.claims, key=claim_sort_key):
        if claim_id not in cited and rules.claims[claim_id].excuse is None:
            found.append(Counterexample(problem=f"claim {claim_id} is neither encoded by a rule nor excused"))
    return _result(
        "traceability",
        started,
        "static",
        0,
        found,
        f"{len(rules.rules)} rules cite claims; all {len(rules.claims)} claims are covered or excused",
        "rules or claims are not traceable",
    )


_FIELDS = string.Formatter()


def _placeholders(text: str) -> frozenset[str] | None:
    try:
        return frozenset(field for _, field, _, _ in _FIELDS.parse(text) if field is not None)
    except ValueError:
        return None


def check_i18n(rules: RuleSet) -> CheckResult:
    """Every text exists in every locale with the same placeholders; every label too."""
    started = time.perf_counter()
    found: list[Counterexample] = []
    for rule in rules.rules:
        texts = [("message", rule.message)]
        if rule.fix is not None:
            texts.append(("fix", rule.fix))
        texts.extend((f"steps[{index}]", step) for index, step in enumerate(rule.steps))
        for where, localized in texts:
            missing = [locale for locale in rules.locales if locale not in localized]
            if missing:
                found.append(
                    Counterexample(problem=f"rule {rule.id} {where}: no text for {', '.join(missing)}")
                )
                continue
            shapes = {_placeholders(localized[locale]) for locale in rules.locales}
            if len(shapes) > 1:
                found.append(
                    Counterexample(problem=f"rule {rule.id} {where}: the locales use different placeholders")
                )
    needed = {f"route.{route.value}" for route in RouteKind}
    needed |= {f"document.{document}" for rule in rules.rules for document in rule.documents}
    needed |= {f"stage.{rule.stage.value}" for rule in rules.rules if rule.stage is not None}
    for locale in rules.locales:
        labels = rules.labels.get(locale, {})
        for key in sorted(needed - set(labels)):
            found.append(Counterexample(problem=f"locale {locale}: missing label {key!r}"))
    every_key = set().union(*(set(labels) for labels in rules.labels.values()))
    for locale, labels in sorted(rules.labels.items()):
        for key in sorted(every_key - set(labels) - needed):
            found.append(
                Counterexample(problem=f"locale {locale}: missing label {key!r} (other locales have it)")
            )
    return _result(
        "i18n",
        started,
        "static",
        0,
        found,
        f"every text is in {', '.join(rules.locales)} with the same placeholders",
        "texts or labels are missing in some locale",
    )


# --- all of it ----------------------------------------------------------------------------


def verify(
    rules: RuleSet,
    *,
    as_of: dt.date | None = None,
    max_classes: int = DEFAULT_MAX_CLASSES,
    samples: int = DEFAULT_SAMPLES,
) -> Report:
    """Run every check on ``rules``; see :class:`Report` for the outcome."""
    started = time.perf_counter()
    options: dict[str, Any] = {"as_of": as_of, "max_classes": max_classes, "samples": samples}
    state_checks = (
        check_totality,
        check_route_soundness,
        check_monotonicity,
        check_dead_rules,
        check_overlaps,
        check_differential,
        check_purity,
    )
    results = [
        CheckResult(
            name="load",
            ok=True,
            message=f"{len(rules.rules)} rules, {len(rules.providers)} providers, {len(rules.claims)} claims",
        )
    ]
    results.extend(check(rules, **options) for check in state_checks)
    results.append(check_traceability(rules))
    results.append(check_i18n(rules))
    return Report(
        rules=rules.label,
        results=tuple(results),
        classes=state_space(rules).size,
        seconds=time.perf_counter() - started,
    )


_I18N_WORDS = ("locale", "placeholder", "label")


def _check_of(message: str, path: str) -> str:
    """The check a loader problem belongs to."""
    if any(word in message for word in _I18N_WORDS):
        return "i18n"
    if "claim" in message or ".claims" in path:
        return "traceability"
    return "load"


def verify_paths(
    *directories: str | Path,
    as_of: dt.date | None = None,
    max_classes: int = DEFAULT_MAX_CLASSES,
    samples: int = DEFAULT_SAMPLES,
) -> Report:
    """Load ``directories`` as one rule set and verify it.

    A pack the loader refuses is a failed report, not an exception: each loader problem
    is filed under the check it belongs to (a missing locale string under ``i18n``, a
    rule without claims under ``traceability``, anything else under ``load``).
    """
    started = time.perf_counter()
    try:
        rules = load_rules(*directories)
    except RuleFileError as error:
        grouped: dict[str, list[Counterexample]] = {}
        for problem in error.problems:
            grouped.setdefault(_check_of(problem.message, problem.path), []).append(
                Counterexample(problem=str(problem))
            )
        # Only the checks the problems belong to fail; the state-based ones could not run.
        results = [
            CheckResult(
                name=name,
                ok=False,
                message="the loader refused the pack "
                f"({len(examples)} problem(s)); the state-based checks did "
                "not run",
                counterexamples=tuple(examples),
            )
            for name, examples in sorted(grouped.items(), key=lambda item: CHECKS.index(item[0]))
        ]
        return Report(
            rules=" + ".join(str(directory) for directory in directories),
            results=tuple(results),
            seconds=time.perf_counter() - started,
        )
    return verify(rules, as_of=as_of, max_classes=max_classes, samples=samples)
