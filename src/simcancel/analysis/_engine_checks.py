"""The checks of durable-rules itself, on sampled states: differential and purity.

The state-space proofs run on the reference evaluator; these two carry them over to the
engine that answers ``assess``: it must fire exactly what the reference fires
(``differential``), and its assessment of a state must depend on nothing but the state
(``purity``).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs

from simcancel import _engine
from simcancel._decide import decide
from simcancel._errors import NoRouteError, SimcancelError
from simcancel._loader import LOCALE_PACK_FILE, load_rules
from simcancel._ruleset import RuleSet
from simcancel._yaml import dump_yaml, parse_yaml
from simcancel.analysis._options import DEFAULT_MAX_CLASSES, DEFAULT_SAMPLES, VerifyOptions
from simcancel.analysis._report import CheckResult
from simcancel.analysis._search import (
    EveryState,
    Facts,
    Given,
    Sampled,
    Says,
    Search,
    Walk,
    refused,
    run_check,
)

__all__ = [
    "PURITY_SEED",
    "check_differential",
    "check_purity",
    "differential",
    "purity",
    "purity_states",
]

PURITY_SEED = 20261124
"""Seed of the states purity draws: the same states every run."""


def _options(as_of: dt.date | None, max_classes: int, samples: int) -> VerifyOptions:
    return VerifyOptions.of(as_of=as_of, max_classes=max_classes, samples=samples)


# --- differential -------------------------------------------------------------------------


def differential(search: Search) -> CheckResult:
    """durable-rules fires exactly the rules the reference fires."""
    every_id = tuple(search.predicates)
    try:
        engine_rules = _engine.compiled(search.rules)
    except SimcancelError as error:
        return refused(
            "differential",
            search,
            f"durable-rules cannot evaluate the rule set the reference evaluates: {error}",
            "durable-rules refuses a rule set the loader accepted",
        )

    def problem(facts: Facts) -> str | None:
        try:
            actual = _engine.evaluate(engine_rules, facts)
        except SimcancelError as error:
            return f"durable-rules failed where the reference did not: {error}"
        return compared(facts, actual)

    def problems(states: Sequence[Facts]) -> list[str | None]:
        try:
            fired = _engine.evaluate_many(engine_rules, states)
        except SimcancelError:
            return [problem(facts) for facts in states]  # which state, and the error of one session
        return [compared(facts, actual) for facts, actual in zip(states, fired, strict=True)]

    def compared(facts: Facts, actual: frozenset[str]) -> str | None:
        expected = search.fired(facts, every_id)
        if actual == expected:
            return None
        extra, missing = sorted(actual - expected), sorted(expected - actual)
        return (
            f"durable fired {extra or 'nothing more'} beyond the reference, and missed {missing or 'nothing'}"
        )

    def walks() -> Iterator[Walk]:
        # Each class representative in a session of its own, as assess runs durable; the
        # combinations in sessions of many states (evaluate_many), since a session costs
        # durable time in proportion to the number of rules; then random states, one
        # session each.
        representatives = tuple(search.space.representatives(search.space.variables))
        yield Given(
            what="every class representative, one session each",
            states=representatives,
            problems=tuple(problem(facts) for facts in representatives),
        )
        seen: set[tuple[str, ...]] = set()
        for rule in search.rules.rules:
            variables = search.space.variables_for(rule.facts)
            key = tuple(variable.name for variable in variables)
            if key not in seen:
                seen.add(key)
                yield EveryState(
                    what=f"rule {rule.id}'s facts", variables=variables, problem=problem, problems=problems
                )
        yield Sampled(what="random states", problem=problem)

    return run_check(
        "differential",
        search,
        walks(),
        Says(
            ok="durable-rules and the reference evaluator agree on every state tried",
            fail="durable-rules and the reference evaluator disagree",
        ),
    )


def check_differential(
    rules: RuleSet,
    *,
    as_of: dt.date | None = None,
    max_classes: int = DEFAULT_MAX_CLASSES,
    samples: int = DEFAULT_SAMPLES,
) -> CheckResult:
    """durable-rules fires exactly the rules the reference evaluator fires.

    States: every class of each rule's own facts (the others at their first class), then
    ``samples`` Hypothesis states.  A rule set durable refuses to compile fails here too:
    the reference evaluates it, durable does not.
    """
    return differential(Search.of(rules, _options(as_of, max_classes, samples)))


# --- purity -------------------------------------------------------------------------------

Answer = dict[str, Any] | str
"""An assessment as JSON data, or the error it raised."""


def purity_states(search: Search) -> tuple[Facts, ...]:
    """The states purity evaluates: random classes, numbers anywhere inside their interval
    (a count the catalogue bounds for drawing, such as services, stays within that bound)."""
    chooser = random.Random(PURITY_SEED)
    count = max(search.options.samples // 4, 10)
    return tuple(search.space.draw(chooser) for _ in range(count))


def _size(facts: Facts) -> float:
    """How large a state is, for showing the smallest failing states first: the sum of
    its numbers' magnitudes (digits), so no single unit (paisa, MB) dominates."""
    return sum(
        math.log10(value + 1)
        for value in facts.values()
        if isinstance(value, int) and not isinstance(value, bool)
    )


def _assess_facts(
    rules: RuleSet, engine_rules: _engine.CompiledRules, facts: Facts, locale: str, as_of: dt.date
) -> Answer:
    try:
        return decide(
            rules, _engine.evaluate(engine_rules, facts), facts, locale=locale, as_of=as_of
        ).to_dict()
    except NoRouteError as error:
        return f"{type(error).__name__}: {error}"


_NOT_RULE_FILES = {"ruleset.yaml", "claims.yaml", LOCALE_PACK_FILE}
"""The files of a pack that are not rule files (a locale pack's is its locale.yaml)."""


def _copy_pack(origin: Path, target: Path) -> None:
    """Copy the files the loader reads (``*.yaml`` at the top, in ``locales/`` and in
    ``providers/``), never following a link nor reading a special file: a pack holding
    ``parent -> ..`` or a link to a virtualenv is copied in milliseconds, not walked."""
    for folder in ("", "locales", "providers"):
        source = origin / folder
        if folder and (source.is_symlink() or not source.is_dir()):
            continue
        for path in sorted(source.glob("*.yaml")):
            if path.is_symlink() or not path.is_file():
                continue  # the loader refused the pack if it held one; nothing to copy
            (target / folder).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / folder / path.name)


def _reordered_copy(rules: RuleSet, target: Path) -> list[Path]:
    """Copies of ``rules``' packs with rule files, providers and rules in reverse order."""
    copies = []
    for index, source in enumerate(rules.sources):
        origin = Path(source)
        pack = target / f"{index}" / origin.name
        _copy_pack(origin, pack)
        rule_files = sorted(path for path in pack.glob("*.yaml") if path.name not in _NOT_RULE_FILES)
        providers = sorted((pack / "providers").glob("*.yaml"))
        for files in (rule_files, providers):
            for position, path in enumerate(reversed(files)):
                path.rename(path.with_name(f"{position:03d}-{path.name}"))
        for path in sorted(pack.glob("*.yaml")):
            if path.name in _NOT_RULE_FILES:
                continue
            document = parse_yaml(path.read_bytes(), path.name)
            data = getattr(document, "data", None)
            if isinstance(data, dict) and isinstance(data.get("rules"), list):
                data["rules"].reverse()
                path.write_text(dump_yaml(data), encoding="utf-8")
        copies.append(pack)
    return copies


@attrs.frozen(kw_only=True)
class _Ways:
    """Evaluates the purity states through durable, one way after another."""

    states: tuple[Facts, ...]
    locale: str
    as_of: dt.date

    def in_order(self, rules: RuleSet, order: Iterable[int]) -> dict[int, Answer]:
        engine_rules = _engine.compiled(rules)
        return {
            index: _assess_facts(rules, engine_rules, self.states[index], self.locale, self.as_of)
            for index in order
        }

    def threaded(self, rules: RuleSet) -> dict[int, Answer]:
        engine_rules = _engine.compiled(rules)
        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = pool.map(
                lambda facts: _assess_facts(rules, engine_rules, facts, self.locale, self.as_of), self.states
            )
            return dict(enumerate(answers))


def _variants(
    rules: RuleSet, ways: _Ways, scratch: Path
) -> Iterator[tuple[str, Callable[[], dict[int, Answer]]]]:
    indexes = range(len(ways.states))
    yield "evaluated again in reverse order", lambda: ways.in_order(rules, reversed(indexes))
    yield "evaluated from 4 threads at once", lambda: ways.threaded(rules)
    reversed_rules = attrs.evolve(rules, rules=tuple(reversed(rules.rules)))
    yield "with the rules in reverse order", lambda: ways.in_order(reversed_rules, indexes)
    if rules.sources and all(Path(source).is_dir() for source in rules.sources):
        reloaded = load_rules(*_reordered_copy(rules, scratch))
        yield "reloaded with files and rules in reverse order", lambda: ways.in_order(reloaded, indexes)


def purity(search: Search) -> CheckResult:
    """The same state gets the same assessment through durable, whatever ran before."""
    started = time.perf_counter()
    rules = search.rules
    ways = _Ways(states=purity_states(search), locale=rules.locales[0], as_of=search.options.as_of)
    problems: list[str | None] = [None] * len(ways.states)
    runs = 0
    try:
        baseline = ways.in_order(rules, range(len(ways.states)))
        runs += 1
        with tempfile.TemporaryDirectory(prefix="simcancel-verify-") as scratch:
            for description, run in _variants(rules, ways, Path(scratch)):
                answers = run()
                runs += 1
                for index, answer in answers.items():
                    if answer != baseline[index] and problems[index] is None:
                        problems[index] = f"the assessment changes when {description}"
    except SimcancelError as error:
        return refused(
            "purity",
            search,
            f"durable-rules failed: {error}",
            "durable-rules could not evaluate the rule set, so isolation is unproven (see differential)",
        )
    ways_run = "1 way" if runs == 1 else f"{runs} ways"
    judged = sorted(zip(ways.states, problems, strict=True), key=lambda pair: _size(pair[0]))
    result = run_check(
        "purity",
        search,
        [
            Given(
                what=f"{len(ways.states)} drawn states, {ways_run}",
                states=tuple(state for state, _ in judged),
                problems=tuple(problem for _, problem in judged),
                evaluations=runs,
            )
        ],
        Says(
            ok="same state, same assessment: in any order, any thread, any rule order",
            fail="the assessment of a state depends on something besides the state",
        ),
    )
    return attrs.evolve(result, seconds=time.perf_counter() - started)  # with the drawing and the runs


def check_purity(
    rules: RuleSet,
    *,
    as_of: dt.date | None = None,
    max_classes: int = DEFAULT_MAX_CLASSES,
    samples: int = DEFAULT_SAMPLES,
) -> CheckResult:
    """The same state gets the same assessment through durable, whatever ran before.

    On ``max(samples // 4, 10)`` states drawn from the state space (random classes,
    numbers inside their interval, not only its lowest value): evaluated in order, in reverse order, from
    four threads at once, with the rules in reverse order in memory, and (for packs
    loaded from directories) reloaded from copies whose rule files, providers and rules
    within each file come in reverse order.  ``evaluated`` counts the assessments made.
    """
    return purity(Search.of(rules, _options(as_of, max_classes, samples)))
