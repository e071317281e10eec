"""The exception hierarchy: one root, each subclass also the builtin it behaves like."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Literal, get_args

import attrs

__all__ = [
    "EngineError",
    "InvalidStateError",
    "MissingExtraError",
    "NoRouteError",
    "Problem",
    "ProblemTopic",
    "RuleFileError",
    "SimcancelError",
    "UsageError",
    "did_you_mean",
    "require_hypothesis",
]


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest choice, or ``""``."""
    # Compare case-insensitively ("EN" -> "en"), but suggest the choice as spelt.
    by_folded = {choice.casefold(): choice for choice in sorted(choices)}
    close = difflib.get_close_matches(name.casefold(), list(by_folded), n=1, cutoff=0.6)
    return f" (did you mean {by_folded[close[0]]!r}?)" if close else ""


def shorten(value: object, limit: int = 60) -> str:
    """``repr`` of a found value, cut so a 10 MB string cannot flood a message."""
    if isinstance(value, str) and len(value) > limit:
        # Spares copying a 10 MB string only to cut it.
        text = repr(value[:limit]) + repr(value[-1])
    else:
        try:
            text = repr(value)
        except RecursionError:
            return f"<{type(value).__name__} nested too deeply to show>"
    return text if len(text) <= limit else f"{text[: limit - 5]}...{text[-1]}"


ProblemTopic = Literal["load", "i18n", "traceability"]
"""What a rule pack problem is about, named as the ``simcancel verify`` check it fails:
``"i18n"`` (locales, placeholders, labels), ``"traceability"`` (claims), ``"load"``
(everything else)."""
_TOPICS: tuple[ProblemTopic, ...] = get_args(ProblemTopic)


@attrs.frozen(kw_only=True)
class Problem:
    """One thing wrong with an input: where, what was expected, what was found."""

    path: str
    """``$.field.path`` inside the document."""
    message: str
    """What was expected and what was found, as one sentence."""
    file: str | None = None
    """The file the document came from, if any."""
    line: int | None = None
    """1-based line in ``file``, if known."""
    topic: ProblemTopic = attrs.field(default="load", validator=attrs.validators.in_(_TOPICS))
    """What it is about (:data:`ProblemTopic`); set by the rule loader, ``"load"`` elsewhere."""

    def __str__(self) -> str:
        where = self.path
        if self.file is not None:
            where = f"{self.file}:{self.line}: {self.path}" if self.line else f"{self.file}: {self.path}"
        return f"{where}: {self.message}"


class SimcancelError(Exception):
    """Root of every error simcancel raises."""


class _ProblemsError(SimcancelError):
    """An error that carries every problem found, not only the first."""

    headline = "invalid input"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        count = len(self.problems)
        lines = [f"{self.headline} ({count} problem{'s' if count != 1 else ''}):"]
        lines.extend(f"  {problem}" for problem in self.problems)
        return "\n".join(lines)


class InvalidStateError(_ProblemsError, ValueError):
    """A user state (dict, JSON or model object) is not valid; lists every problem."""

    headline = "invalid user state"


class RuleFileError(_ProblemsError, ValueError):
    """A rule pack is not valid; lists every problem with file, line and path."""

    headline = "invalid rules"


class UsageError(SimcancelError, ValueError):
    """An argument to a simcancel function is not what it accepts (locale, rules, as_of)."""


class EngineError(SimcancelError, RuntimeError):
    """durable-rules failed while compiling or evaluating a rule set."""


class NoRouteError(SimcancelError, LookupError):
    """The rule set gives no route for a state (a gap: ``simcancel verify`` finds these)."""


class MissingExtraError(SimcancelError, ImportError):
    """An optional dependency is not installed; the message says which extra installs it."""


def require_hypothesis(what: str) -> None:
    """Raise :class:`MissingExtraError` naming ``what`` unless Hypothesis can be imported.

    Hypothesis is the ``testing`` extra: only :mod:`simcancel.testing` and the checks of
    ``simcancel verify`` use it.
    """
    try:
        import hypothesis  # noqa: F401, PLC0415 (imported only to see that it is there)
    except ImportError:
        raise MissingExtraError(
            f"{what} needs Hypothesis, which is not installed; "
            'install it with: pip install "simcancel[testing]"'
        ) from None
