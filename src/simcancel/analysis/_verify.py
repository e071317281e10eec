"""All of it: every check on one rule set (:func:`verify`), or on packs on disk (:func:`verify_paths`)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

from simcancel._errors import Problem, RuleFileError
from simcancel._loader import load_rules
from simcancel._ruleset import RuleSet
from simcancel.analysis._engine_checks import differential, purity
from simcancel.analysis._options import DEFAULT_MAX_CLASSES, DEFAULT_SAMPLES, VerifyOptions
from simcancel.analysis._report import CHECKS, CheckResult, Counterexample, Report
from simcancel.analysis._search import Search
from simcancel.analysis._state_checks import (
    clearable,
    dead_rules,
    monotonicity,
    overlaps,
    route_soundness,
    totality,
)
from simcancel.analysis._static_checks import check_i18n, check_stages, check_traceability

__all__ = ["STATE_CHECKS", "verify", "verify_paths"]

STATE_CHECKS: tuple[Callable[[Search], CheckResult], ...] = (
    totality,
    route_soundness,
    monotonicity,
    clearable,
    dead_rules,
    overlaps,
    differential,
    purity,
)
"""The checks that walk or sample states, in report order; they share one :class:`Search`."""


def verify(
    rules: RuleSet,
    *,
    as_of: dt.date | None = None,
    max_classes: int = DEFAULT_MAX_CLASSES,
    samples: int = DEFAULT_SAMPLES,
) -> Report:
    """Run every check on ``rules``; see :class:`Report` for the outcome."""
    started = time.perf_counter()
    search = Search.of(rules, VerifyOptions.of(as_of=as_of, max_classes=max_classes, samples=samples))
    results = [
        CheckResult(
            name="load",
            ok=True,
            message=f"{len(rules.rules)} rules, {len(rules.providers)} providers, {len(rules.claims)} claims",
        )
    ]
    results.extend(check(search) for check in STATE_CHECKS)
    results.append(check_stages(rules))
    results.append(check_traceability(rules))
    results.append(check_i18n(rules))
    return Report(
        rules=rules.label,
        results=tuple(results),
        classes=search.space.size,
        seconds=time.perf_counter() - started,
    )


def _topic(problem: Problem) -> str:
    """The check a loader problem belongs to: its ``topic`` (``load``, ``i18n``, ``traceability``)."""
    return problem.topic


def _report_order(check: str) -> int:
    return CHECKS.index(check) if check in CHECKS else len(CHECKS)


def verify_paths(
    *directories: str | Path,
    as_of: dt.date | None = None,
    max_classes: int = DEFAULT_MAX_CLASSES,
    samples: int = DEFAULT_SAMPLES,
) -> Report:
    """Load ``directories`` as one rule set and verify it.

    A pack the loader refuses is a failed report, not an exception: each loader problem
    is filed under the check its ``topic`` names (a missing locale string under ``i18n``,
    a rule without claims under ``traceability``, anything else under ``load``).
    """
    started = time.perf_counter()
    options = VerifyOptions.of(as_of=as_of, max_classes=max_classes, samples=samples)
    try:
        rules = load_rules(*directories)
    except RuleFileError as error:
        grouped: dict[str, list[Counterexample]] = {}
        for problem in error.problems:
            grouped.setdefault(_topic(problem), []).append(Counterexample(problem=str(problem)))
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
            for name, examples in sorted(grouped.items(), key=lambda item: _report_order(item[0]))
        ]
        return Report(
            rules=" + ".join(str(directory) for directory in directories),
            results=tuple(results),
            seconds=time.perf_counter() - started,
        )
    return verify(rules, as_of=options.as_of, max_classes=options.max_classes, samples=options.samples)
