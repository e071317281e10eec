"""The one skeleton of every state-based check: walks of the state space, and their verdict.

A check is a name, a list of *walks* and two messages.  A walk is what to look for, and
where:

* :class:`EveryState`: a state for which ``problem`` says something is wrong, over every
  combination of ``variables``' classes (the other variables at their first class), or
  over sampled states when the combinations exceed ``max_classes``; with ``problems``, the
  combinations are judged :data:`BATCH` at a time;
* :class:`Sampled`: the same over sampled states only (the differential check's random
  part);
* :class:`Given`: states the check drew and judged itself (purity);
* :class:`Witness`: a state for which a condition *holds* (a rule fires); finding none is
  the failure.

:func:`run_check` runs the walks, adds up what they evaluated, keeps the first
counterexamples, and says ``exhaustive`` only when every walk went through every
combination; each walk that sampled instead is a :class:`Fallback` of the result (what it
covers, its combinations, ``max_classes``), and a check that passed on samples says
``sampled, not proved``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol

import attrs

from simcancel._engine import MAX_BATCH
from simcancel._facts import EngineValue, state_for
from simcancel._reference import Predicate, predicates
from simcancel._ruleset import AllOf, Comparison, Condition, Op, RuleSet
from simcancel._statespace import StateSpace, Variable, space_of
from simcancel.analysis._options import VerifyOptions
from simcancel.analysis._report import CheckResult, Counterexample, Fallback, Mode
from simcancel.analysis._sampling import Facts, find_state

__all__ = [
    "BATCH",
    "EveryState",
    "Facts",
    "Given",
    "MAX_SHOWN",
    "Outcome",
    "Sampled",
    "Search",
    "StateProblem",
    "StateProblems",
    "Walk",
    "Walked",
    "Witness",
    "check_days",
    "refused",
    "run_check",
]

MAX_SHOWN = 3
"""Counterexamples kept per check (and per walk)."""

StateProblem = Callable[[Facts], "str | None"]
"""What is wrong with a state, as one sentence, or ``None``."""

StateProblems = Callable[[Sequence[Facts]], Sequence["str | None"]]
"""What is wrong with each of many states, in order."""

BATCH = MAX_BATCH
"""States an :class:`EveryState` walk with ``problems`` judges at once: one durable
session's worth (:func:`simcancel._engine.evaluate_many`)."""


@attrs.frozen(kw_only=True, eq=False)
class Search:
    """What the state-based checks share: the rule set, the options, the space, the predicates."""

    rules: RuleSet
    options: VerifyOptions
    space: StateSpace
    predicates: Mapping[str, Predicate]
    guards: Mapping[str, tuple[str, EngineValue]] = attrs.field(factory=dict)
    """Per rule id, a fact and value the rule needs (an ``eq`` test of its top ``all``)."""
    _selections: dict[tuple[str, ...], Selection] = attrs.field(factory=dict, init=False)

    @classmethod
    def of(cls, rules: RuleSet, options: VerifyOptions) -> Search:
        """The search for ``rules``: its state space and each rule's reference predicate."""
        guards = {rule.id: guard for rule in rules.rules if (guard := _guard(rule.when)) is not None}
        return cls(
            rules=rules,
            options=options,
            space=space_of(rules),
            predicates=dict(predicates(rules)),
            guards=guards,
        )

    @property
    def days(self) -> tuple[dt.date, ...]:
        """One day of every stretch of time in which the same rules are in effect: the
        options' ``as_of`` for its own stretch, then each other stretch's first day (the
        day before the pack's first date for the time before it), in date order."""
        return check_days(self.rules, self.options.as_of)

    def on(self, day: dt.date) -> Search:
        """The same search on ``day``: the same space and predicates, states evaluated on ``day``."""
        if day == self.options.as_of:
            return self
        return Search(
            rules=self.rules,
            options=attrs.evolve(self.options, as_of=day),
            space=self.space,
            predicates=self.predicates,
            guards=self.guards,
        )

    def selection(self, ids: Iterable[str]) -> Selection:
        """The rules ``ids`` indexed by their guards, for :meth:`fired_in` (cached)."""
        key = tuple(ids)
        found = self._selections.get(key)
        if found is None:
            unguarded: list[tuple[str, Predicate]] = []
            guarded: dict[str, dict[tuple[type, EngineValue], list[tuple[str, Predicate]]]] = {}
            for rule_id in dict.fromkeys(key):
                entry = (rule_id, self.predicates[rule_id])
                guard = self.guards.get(rule_id)
                if guard is None:
                    unguarded.append(entry)
                else:
                    fact, value = guard
                    guarded.setdefault(fact, {}).setdefault((type(value), value), []).append(entry)
            found = self._selections[key] = Selection(unguarded=tuple(unguarded), guarded=guarded)
        return found

    def fired_in(self, facts: Mapping[str, EngineValue], selection: Selection) -> set[str]:
        """Which rules of ``selection`` fire for ``facts`` (reference predicates); a rule
        whose guard does not hold is not even tried, since it cannot fire."""
        found = {rule_id for rule_id, holds in selection.unguarded if holds(facts)}
        for fact, by_value in selection.guarded.items():
            value = facts[fact]
            for rule_id, holds in by_value.get((type(value), value), ()):
                if holds(facts):
                    found.add(rule_id)
        return found

    def fired(self, facts: Mapping[str, EngineValue], ids: Iterable[str]) -> set[str]:
        """Which of the rules ``ids`` fire for ``facts`` (reference evaluator)."""
        return self.fired_in(facts, self.selection(ids))

    def example(self, facts: Mapping[str, EngineValue], problem: str) -> Counterexample:
        """``problem`` with the state ``facts`` stand for, on the options' day."""
        as_of = self.options.as_of
        return Counterexample(problem=problem, state=state_for(facts, as_of), as_of=as_of)

    def states(  # noqa: PLR0913 - guard is keyword-only, an optional narrowing
        self,
        what: str,
        space: StateSpace,
        variables: Sequence[Variable],
        hit: Callable[[Facts], bool],
        limit: int,
        *,
        guard: tuple[str, EngineValue] | None = None,
    ) -> Walked:
        """Up to ``limit`` states of ``space`` where ``hit`` holds: every combination of
        ``variables``' classes, or past ``max_classes`` sampled states (a
        :class:`Fallback` named ``what`` says so): every class representative of
        ``variables`` first (:meth:`StateSpace.representatives`), then the simplest
        Hypothesis state.  ``guard``, a fact and value without
        which ``hit`` cannot hold, lets a search for one state skip the classes without it
        (the same state found, the same count of classes gone through)."""
        combinations = StateSpace.count(variables)
        if combinations <= self.options.max_classes and guard is not None and limit == 1:
            guarded = _first_guarded(space, variables, hit, guard)
            if guarded is not None:
                return guarded
        if combinations <= self.options.max_classes:
            hits: list[Facts] = []
            evaluated = 0
            for facts in space.assignments(variables):
                evaluated += 1
                if hit(facts):
                    hits.append(facts)
                    if len(hits) >= limit:
                        break
            return Walked(mode="exhaustive", evaluated=evaluated, hits=tuple(hits))
        fallback = Fallback(walk=what, combinations=combinations, max_classes=self.options.max_classes)
        # Every class representative first (each constant of the pack among them), then random states.
        tried = 0
        first: list[Facts] = []
        for facts in space.representatives(variables):
            tried += 1
            if hit(facts):
                first.append(facts)
                if len(first) >= limit:
                    break
        if first:
            return Walked(mode="sampled", evaluated=tried, hits=tuple(first), fallback=fallback)
        found = find_state(space, hit, samples=self.options.samples)
        return Walked(
            mode="sampled",
            evaluated=tried + found.tried,
            hits=() if found.state is None else (dict(found.state),),
            fallback=fallback,
        )


def check_days(rules: RuleSet, as_of: dt.date) -> tuple[dt.date, ...]:
    """``as_of``, plus one day of every other stretch between the rules' effective dates."""
    starts: set[dt.date] = set()
    for rule in rules.rules:
        if rule.effective_from is not None:
            starts.add(rule.effective_from)
        if rule.effective_until is not None and rule.effective_until < dt.date.max:
            starts.add(rule.effective_until + dt.timedelta(days=1))
    if starts and min(starts) > dt.date.min:
        starts.add(min(starts) - dt.timedelta(days=1))
    chosen: dict[frozenset[str], dt.date] = {}

    def in_effect(day: dt.date) -> frozenset[str]:
        return frozenset(rule.id for rule in rules.rules if rule.in_effect(day))

    chosen[in_effect(as_of)] = as_of
    for day in sorted(starts):
        chosen.setdefault(in_effect(day), day)
    return tuple(sorted(chosen.values()))


@attrs.frozen(kw_only=True)
class Selection:
    """Rules to evaluate together: those without a guard, and the others by guard value."""

    unguarded: tuple[tuple[str, Predicate], ...]
    guarded: Mapping[str, Mapping[tuple[type, EngineValue], Sequence[tuple[str, Predicate]]]]


def _guard(condition: Condition) -> tuple[str, EngineValue] | None:
    """A fact and value without which ``condition`` cannot hold: the first ``eq`` test of a
    top-level ``all`` (or the condition itself), else ``None``."""
    parts = condition.parts if isinstance(condition, AllOf) else (condition,)
    for part in parts:
        if isinstance(part, Comparison) and part.op is Op.EQ and not isinstance(part.value, tuple):
            return (part.fact, part.value)
    return None


def _first_guarded(
    space: StateSpace,
    variables: Sequence[Variable],
    hit: Callable[[Facts], bool],
    guard: tuple[str, EngineValue],
) -> Walked | None:
    """:meth:`Search.states` for one hit, walking only the classes where ``guard`` holds, in
    the same order; ``evaluated`` is the position of the hit in the whole walk (every class
    before it was decided, by the guard or by ``hit``).  ``None``: the guard's fact is not
    held by exactly one of ``variables`` in every class, so it cannot narrow the walk."""
    fact, wanted = guard
    holders = [
        index for index, variable in enumerate(variables) if any(fact in values for values in variable.values)
    ]
    if len(holders) != 1 or not all(fact in values for values in variables[holders[0]].values):
        return None
    held = holders[0]
    sizes = [len(variable.values) for variable in variables]
    strides = [math.prod(sizes[index + 1 :]) for index in range(len(sizes))]
    allowed = [
        index
        for index, values in enumerate(variables[held].values)
        if type(values[fact]) is type(wanted) and values[fact] == wanted
    ]
    ranges = [allowed if index == held else range(size) for index, size in enumerate(sizes)]
    for combination in itertools.product(*ranges):
        facts = dict(space.base)
        for variable, class_index in zip(variables, combination, strict=True):
            facts.update(variable.values[class_index])
        if hit(facts):
            position = sum(index * stride for index, stride in zip(combination, strides, strict=True))
            return Walked(mode="exhaustive", evaluated=position + 1, hits=(facts,))
    return Walked(mode="exhaustive", evaluated=math.prod(sizes), hits=())


@attrs.frozen(kw_only=True)
class Walked:
    """The states a search went through: how, how many, and those that hit."""

    mode: Mode
    evaluated: int
    hits: tuple[Facts, ...]
    fallback: Fallback | None = None


@attrs.frozen(kw_only=True)
class Outcome:
    """What one walk did and found."""

    mode: Mode
    evaluated: int
    found: tuple[Counterexample, ...] = ()
    note: str | None = None
    """Something worth saying that is not a failure (a latent rule's id)."""
    fallbacks: tuple[Fallback, ...] = ()
    """The searches that sampled because they had more combinations than ``max_classes``."""


class Walk(Protocol):
    """One search of a check."""

    @property
    def what(self) -> str:
        """What the walk covers, as people read it."""
        ...

    def run(self, search: Search, limit: int) -> Outcome:
        """Walk; keep at most ``limit`` counterexamples."""
        ...


def _examples(search: Search, states: Iterable[Facts], problem: StateProblem) -> tuple[Counterexample, ...]:
    found = []
    for facts in states:
        message = problem(facts)
        assert message is not None, "a state found for a problem has that problem"
        found.append(search.example(facts, message))
    return tuple(found)


@attrs.frozen(kw_only=True)
class EveryState:
    """No state may have ``problem``: every class of ``variables``, or sampled past the budget."""

    what: str
    variables: tuple[Variable, ...]
    problem: StateProblem
    search: Search | None = None
    """The search to walk on instead of the check's (the same rules on another day)."""
    problems: StateProblems | None = None
    """``problem`` of many states at once, for the exhaustive walk (the same verdicts,
    cheaper by the batch: one durable session for many states)."""

    def run(self, search: Search, limit: int) -> Outcome:
        """Walk (or sample) and return the first ``limit`` states with the problem."""
        search = self.search or search
        if self.problems is not None and StateSpace.count(self.variables) <= search.options.max_classes:
            return self._in_batches(search, self.problems, limit)
        walked = search.states(
            self.what, search.space, self.variables, lambda facts: self.problem(facts) is not None, limit
        )
        return Outcome(
            mode=walked.mode,
            evaluated=walked.evaluated,
            found=_examples(search, walked.hits, self.problem),
            fallbacks=_fallbacks(walked),
        )

    def _in_batches(self, search: Search, problems: StateProblems, limit: int) -> Outcome:
        """The walk of :meth:`Search.states`, judged :data:`BATCH` states at a time: the same
        states found, and ``evaluated`` counts up to the ``limit``-th of them, as there (the
        rest of its batch was judged, not walked)."""
        evaluated = 0
        found: list[Counterexample] = []
        combinations = search.space.assignments(self.variables)
        while len(found) < limit and (batch := list(itertools.islice(combinations, BATCH))):
            for facts, problem in zip(batch, problems(batch), strict=True):
                evaluated += 1
                if problem is not None:
                    found.append(search.example(facts, problem))
                    if len(found) >= limit:
                        break
        return Outcome(mode="exhaustive", evaluated=evaluated, found=tuple(found))


@attrs.frozen(kw_only=True)
class Sampled:
    """No state may have ``problem``, tried on ``samples`` states of the whole space."""

    what: str
    problem: StateProblem

    def run(self, search: Search, limit: int) -> Outcome:
        """Sample states; return the simplest one with the problem, if any."""
        found = find_state(
            search.space, lambda facts: self.problem(facts) is not None, samples=search.options.samples
        )
        hits = [] if found.state is None else [dict(found.state)]
        return Outcome(mode="sampled", evaluated=found.tried, found=_examples(search, hits, self.problem))


@attrs.frozen(kw_only=True)
class Given:
    """States the check drew and judged itself: ``problems[i]`` is what is wrong with ``states[i]``."""

    what: str
    states: tuple[Facts, ...]
    problems: tuple[str | None, ...]
    evaluations: int = 1
    """How many times each state was evaluated."""

    def run(self, search: Search, limit: int) -> Outcome:
        """Report the judged states."""
        found = tuple(
            search.example(facts, problem)
            for facts, problem in zip(self.states, self.problems, strict=True)
            if problem is not None
        )
        return Outcome(mode="sampled", evaluated=len(self.states) * self.evaluations, found=found[:limit])


@attrs.frozen(kw_only=True)
class Witness:
    """Some state must satisfy ``holds`` (over the classes of ``facts``).

    With ``latent``, a second space to try when ``search.space`` has no such state: a
    witness there is a note (``note``), not a failure.
    """

    what: str
    note: str
    """What the check lists when the only witness is in ``latent`` (a rule id)."""
    facts: tuple[str, ...]
    holds: Predicate
    missing: str
    """The failure, completed by which states were tried: ``rule x fires for none of ...``."""
    latent: StateSpace | None = None
    guard: tuple[str, EngineValue] | None = None
    """A fact and value without which ``holds`` cannot hold (narrows the walk, never its result)."""
    space: StateSpace | None = None
    """The space to look in instead of the search's (one provider's states, say)."""
    shown: Facts | None = None
    """A state to show with the failure (the check knows one that has the problem)."""
    shown_on: dt.date | None = None
    """The day to show ``shown`` on, instead of the options' (a day its rule is in effect)."""

    def run(self, search: Search, limit: int) -> Outcome:
        """Look for a witness, then (if needed) for one in the latent space."""
        space = self.space or search.space
        walked = search.states(
            self.what, space, space.variables_for(self.facts), self.holds, 1, guard=self.guard
        )
        if walked.hits:
            return Outcome(mode=walked.mode, evaluated=walked.evaluated, fallbacks=_fallbacks(walked))
        tried = f"{walked.evaluated} sampled states"
        if walked.mode == "exhaustive":
            tried = f"all {walked.evaluated} classes of its facts"
        evaluated, fallbacks = walked.evaluated, _fallbacks(walked)
        if self.latent is not None:
            latent = self.latent
            elsewhere = search.states(
                f"{self.what}, any provider policy",
                latent,
                latent.variables_for(self.facts),
                self.holds,
                1,
                guard=self.guard,
            )
            evaluated += elsewhere.evaluated
            fallbacks += _fallbacks(elsewhere)
            if elsewhere.hits:
                return Outcome(mode=walked.mode, evaluated=evaluated, note=self.note, fallbacks=fallbacks)
            tried += ", whatever the provider's policy"
        problem = f"{self.missing} for none of {tried}"
        if self.shown is None:
            missing = Counterexample(problem=problem)
        elif self.shown_on is None or self.shown_on == search.options.as_of:
            missing = search.example(self.shown, problem)
        else:
            missing = search.on(self.shown_on).example(
                self.shown, f"as of {self.shown_on.isoformat()}: {problem}"
            )
        return Outcome(mode=walked.mode, evaluated=evaluated, found=(missing,), fallbacks=fallbacks)


def _fallbacks(walked: Walked) -> tuple[Fallback, ...]:
    return () if walked.fallback is None else (walked.fallback,)


@attrs.frozen(kw_only=True)
class Says:
    """What a check's result says: ``ok`` if no walk found a counterexample, else ``fail``;
    ``notes`` heads the list of walks that ended in a note (``latent (...)``)."""

    ok: str
    fail: str
    notes: str = ""


def run_check(
    name: str, search: Search, walks: Iterable[Walk], says: Says, *, per_walk: int = MAX_SHOWN
) -> CheckResult:
    """Run ``walks`` and judge them as ``says`` says.

    ``walks`` may be a generator: its own work is timed with the check (a check that does
    work before its walks adds that time to the result's ``seconds``).
    """
    started = time.perf_counter()
    ok, fail, notes = says.ok, says.fail, says.notes
    modes: list[Mode] = []
    evaluated = 0
    found: list[Counterexample] = []
    noted: list[str] = []
    fallbacks: list[Fallback] = []
    for walk in walks:
        outcome = walk.run(search, per_walk)
        fallbacks.extend(outcome.fallbacks)
        modes.append(outcome.mode)
        evaluated += outcome.evaluated
        found.extend(outcome.found)
        if outcome.note is not None:
            noted.append(outcome.note)
    suffix = f"; {notes}: {', '.join(sorted(noted))}" if noted else ""
    if not found and fallbacks:
        ok = f"sampled, not proved: {ok}"
    return CheckResult(
        name=name,
        ok=not found,
        message=(fail if found else ok) + suffix,
        fallbacks=tuple(fallbacks),
        counterexamples=tuple(found[:MAX_SHOWN]),
        mode="sampled" if "sampled" in modes else "exhaustive",
        evaluated=evaluated,
        seconds=time.perf_counter() - started,
    )


def refused(name: str, search: Search, problem: str, message: str) -> CheckResult:
    """``name`` failed before walking: durable-rules refused the rule set (``problem``)."""
    return CheckResult(
        name=name,
        ok=False,
        message=message,
        counterexamples=(search.example(dict(search.space.base), problem),),
        mode="sampled",
    )
