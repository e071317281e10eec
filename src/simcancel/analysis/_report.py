"""What a verification says: one :class:`CheckResult` per check, gathered in a :class:`Report`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal

import attrs

__all__ = ["CHECKS", "CheckResult", "Counterexample", "Fallback", "Mode", "PROVED_CHECKS", "Report"]

CHECKS = (
    "load",
    "totality",
    "route_soundness",
    "monotonicity",
    "clearable",
    "dead_rules",
    "overlaps",
    "differential",
    "purity",
    "stages",
    "traceability",
    "i18n",
)
"""Every check's name, in report order (``load`` only fails when a pack does not load)."""

Mode = Literal["exhaustive", "sampled", "static"]
"""How a check searched: every class, sampled states, or no states at all."""

PROVED_CHECKS = ("totality", "route_soundness", "monotonicity", "clearable", "dead_rules", "overlaps")
"""The checks that walk every class: a proof, unless one of their walks had to sample."""


@attrs.frozen(kw_only=True)
class Fallback:
    """One walk a check sampled instead of walking, and why: too many combinations."""

    walk: str
    """What the walk covers (``the route rules' facts``, ``moves of balance``, ...)."""
    combinations: int
    """How many combinations of classes walking it would take."""
    max_classes: int
    """The budget it exceeded."""

    def __str__(self) -> str:
        return f"{self.walk}: {self.combinations:,} combinations > max_classes {self.max_classes:,}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {"walk": self.walk, "combinations": self.combinations, "max_classes": self.max_classes}


def _read_only(value: Any) -> Any:
    """JSON data that cannot be changed: objects as read-only mappings, arrays as tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: _read_only(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_read_only(item) for item in value)
    return value


def _plain(value: Any) -> Any:
    """Read-only JSON data back as plain dicts and lists."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


def _read_only_state(value: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    return None if value is None else _read_only(value)


@attrs.frozen(kw_only=True)
class Counterexample:
    """One concrete failure: the state (``None`` for a static finding) and the problem."""

    problem: str
    state: Mapping[str, Any] | None = attrs.field(default=None, converter=_read_only_state)
    """A :class:`~simcancel.UserState` as JSON data, as ``simcancel assess`` reads it; read-only
    (objects are mappings that cannot be changed, arrays are tuples): ``to_dict()`` gives a copy."""
    as_of: dt.date | None = None
    """The day the state was evaluated on (``activated_on`` is relative to it)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: ``problem``, ``as_of`` and ``state``."""
        return {
            "problem": self.problem,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "state": _plain(self.state),
        }


@attrs.frozen(kw_only=True)
class CheckResult:
    """The verdict of one check."""

    name: str
    ok: bool
    message: str
    counterexamples: tuple[Counterexample, ...] = ()
    mode: Mode = "static"
    """``exhaustive`` (every class), ``sampled`` (Hypothesis / drawn states) or ``static``."""
    evaluated: int = 0
    """How many states (or state pairs) were evaluated."""
    seconds: float = 0.0
    fallbacks: tuple[Fallback, ...] = ()
    """The walks that sampled because they exceeded ``max_classes`` (none: nothing fell back)."""

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
            "fallbacks": [fallback.to_dict() for fallback in self.fallbacks],
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
        """True when every check of :data:`PROVED_CHECKS` ran, and no walk of any check
        sampled for want of budget (:attr:`sampled` is empty).

        False for a pack that did not load: nothing was walked.
        """
        ran = {result.name: result for result in self.results}
        return (
            all(name in ran and ran[name].mode == "exhaustive" for name in PROVED_CHECKS) and not self.sampled
        )

    @property
    def sampled(self) -> tuple[CheckResult, ...]:
        """The checks with walks that sampled instead of walking every class (see ``fallbacks``)."""
        return tuple(result for result in self.results if result.fallbacks)

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
            how = "exhaustive" if self.exhaustive else "NOT exhaustive"
            lines.append(f"state space: {self.classes} classes; {how}; {self.seconds:.2f} s")
            lines.extend(_sampled_lines(self.sampled))
        else:
            lines.append("state space: not built (the rules did not load); NOT exhaustive: no state checked")
        for result in self.results:
            status = "ok  " if result.ok else "FAIL"
            detail = f" [{result.mode}, {result.evaluated} evaluated]" if result.evaluated else ""
            lines.append(f"{status} {result.name}: {result.message}{detail}")
            for example in result.counterexamples:
                lines.append(f"     - {example.problem}")
                if example.state is not None:
                    day = example.as_of.isoformat() if example.as_of else "today"
                    state = json.dumps(example.to_dict()["state"], ensure_ascii=False)
                    lines.append(f"       state (as of {day}): {state}")
        lines.append(
            "verdict: "
            + ("consistent" if self.ok else f"{len(self.failed)} check(s) failed: {', '.join(self.failed)}")
        )
        return "\n".join(lines)


_FALLBACKS_SHOWN = 3


def _sampled_lines(sampled: tuple[CheckResult, ...]) -> list[str]:
    """Per check that sampled: which walks, and why (combinations against the budget)."""
    lines = []
    for result in sampled:
        shown = "; ".join(str(fallback) for fallback in result.fallbacks[:_FALLBACKS_SHOWN])
        more = len(result.fallbacks) - _FALLBACKS_SHOWN
        tail = f"; and {more} more" if more > 0 else ""
        count = len(result.fallbacks)
        lines.append(f"  {result.name} sampled {count} walk(s) with Hypothesis instead: {shown}{tail}")
    return lines
