"""The exception hierarchy: one root, each subclass also the builtin it behaves like."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any, Literal, get_args

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


_EXHAUSTIVE = 16
"""A set of at most this many choices is compared in full with difflib."""
_LONGEST = 64
"""Names and choices longer than this get a suggestion only for a case-insensitive match."""
_SCANNED = 64
"""At most this many near neighbours are looked at per suggestion in a large set."""
_CACHED = 4
"""How many large choice sets keep their index (each kept alive while it is cached)."""
_CUTOFF = 0.6
"""The least similarity suggested (difflib's ratio: twice the common letters over the lengths)."""


@attrs.frozen
class _Index:
    """A set of choices prepared for suggestions: the folded spellings, and for a large
    set the near neighbours of each (the spelling itself and every spelling one deletion
    away), so that a lookup costs a few dictionary probes, not a pass over every choice."""

    by_folded: dict[str, str]
    folded: list[str]
    neighbours: dict[str, list[str]] | None

    @classmethod
    def of(cls, choices: Iterable[str]) -> _Index:
        by_folded = {choice.casefold(): choice for choice in sorted(choices)}
        folded = list(by_folded)
        if len(folded) <= _EXHAUSTIVE:
            return cls(by_folded, folded, None)
        neighbours: dict[str, list[str]] = {}
        for spelling in folded:
            if len(spelling) <= _LONGEST:
                for variant in dict.fromkeys(_deletions(spelling)):
                    neighbours.setdefault(variant, []).append(spelling)
        return cls(by_folded, folded, neighbours)

    def nearest(self, folded: str) -> str | None:
        """The closest folded choice, if it is similar enough.

        A small set: difflib over every choice.  A large one: the choices that share a
        spelling with ``folded`` after at most one deletion each (one letter wrong,
        missing, added, or two swapped), scored like difflib by the shared spelling,
        ties to the greatest spelling as difflib does.
        """
        if self.neighbours is None:
            close = difflib.get_close_matches(folded, self.folded, n=1, cutoff=_CUTOFF)
            return close[0] if close else None
        if len(folded) > _LONGEST:
            return None
        best: tuple[float, str] | None = None
        scanned = 0
        for variant in _deletions(folded):
            for spelling in self.neighbours.get(variant, ()):
                found = (2 * len(variant) / (len(folded) + len(spelling)), spelling)
                if found[0] >= _CUTOFF and (best is None or found > best):
                    best = found
                scanned += 1
                if scanned >= _SCANNED:
                    return best[1] if best else None
        return best[1] if best else None


def _deletions(text: str) -> Iterator[str]:
    yield text
    for index in range(len(text)):
        yield text[:index] + text[index + 1 :]


_indexes: dict[int, tuple[Collection[str], int, _Index]] = {}


def _index(choices: Iterable[str]) -> _Index:
    """The index of ``choices``; a large collection's is cached (by identity and size),
    so thousands of lookups in one set of claims do not rebuild it each time."""
    if not isinstance(choices, Collection) or len(choices) <= _EXHAUSTIVE:
        return _Index.of(choices)
    cached = _indexes.get(id(choices))
    if cached is not None and cached[0] is choices and cached[1] == len(choices):
        return cached[2]
    index = _Index.of(choices)
    _indexes.pop(id(choices), None)
    while len(_indexes) >= _CACHED:
        del _indexes[next(iter(_indexes))]
    _indexes[id(choices)] = (choices, len(choices), index)
    return index


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest choice, or ``""``.

    The work is bounded whatever the number of choices and of lookups: a small set is
    compared in full, a large one only with the near neighbours of ``name``.
    """
    # Compare case-insensitively ("EN" -> "en"), but suggest the choice as spelt.
    index = _index(choices)
    folded = name.casefold()
    close = folded if folded in index.by_folded else index.nearest(folded)
    return f" (did you mean {index.by_folded[close]!r}?)" if close is not None else ""


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
        except ValueError:  # an int past Python's int-to-text digit limit, inside or alone
            return f"<{type(value).__name__} too large to show>"
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

    def __reduce__(self) -> tuple[Any, ...]:
        # The default would call the class with the rendered message as its problems.
        return (type(self), (self.problems,), self.__dict__)

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
