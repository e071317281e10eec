"""``assess_many()``: many states in, their assessments out, in order and streaming.

It holds one state at a time, so a million states cost no more memory than one; and it
is a plain function of an iterable, so it is the function of a Dask bag's
``map_partitions`` (or of ``multiprocessing``'s ``imap``) as it is::

    import dask.bag as db
    answers = db.from_sequence(states, npartitions=8).map_partitions(assess_many, locale="en")

Each worker process loads and compiles the rules once (``rules=None``: the built-in
rules of the worker's own installation), which is why passing ``None`` or a picklable
:class:`~simcancel.RuleSet` works and a compiled engine handle never travels.
"""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Literal, overload

import attrs

from simcancel._assess import assess, default_rules
from simcancel._clock import today_in_pakistan
from simcancel._errors import InvalidStateError, SimcancelError, UsageError
from simcancel._ruleset import RuleSet
from simcancel.model import Assessment, UserState

__all__ = ["assess_many"]

OnError = Literal["raise", "return"]
_Reduced = tuple[type["_Replay"], tuple[list[Assessment | SimcancelError], SimcancelError | None]]
"""How results travel in a pickle: those left, and the error that ended them."""


@overload
def assess_many(
    states: Iterable[UserState | Mapping[str, object]],
    *,
    rules: RuleSet | None = None,
    locale: str = "zh-CN",
    as_of: dt.date | None = None,
    on_error: Literal["raise"] = "raise",
) -> Iterator[Assessment]: ...


@overload
def assess_many(
    states: Iterable[UserState | Mapping[str, object]],
    *,
    rules: RuleSet | None = None,
    locale: str = "zh-CN",
    as_of: dt.date | None = None,
    on_error: Literal["return"],
) -> Iterator[Assessment | SimcancelError]: ...


def assess_many(
    states: Iterable[UserState | Mapping[str, object]],
    *,
    rules: RuleSet | None = None,
    locale: str = "zh-CN",
    as_of: dt.date | None = None,
    on_error: OnError = "raise",
) -> Iterator[Assessment | SimcancelError]:
    """Assess each state (a :class:`~simcancel.UserState` or its dict form), yielding in order.

    ``on_error="raise"`` (default) stops at the first state that cannot be assessed, with
    its :class:`~simcancel.SimcancelError`; ``"return"`` yields that error in the state's
    place and goes on, so one bad record does not lose a batch.  ``as_of`` defaults to
    the day the batch starts, the same for every state of it.
    """
    if on_error not in ("raise", "return"):
        raise UsageError(f"on_error: expected 'raise' or 'return', got {on_error!r}")
    if isinstance(states, (str, bytes, Mapping, UserState)):
        raise UsageError(
            f"states: expected an iterable of states or dicts (for one state, call assess()), "
            f"got {type(states).__name__}"
        )
    return _Results(_assess_each(states, rules, locale, as_of or today_in_pakistan(), on_error))


class _Results(Iterator[Assessment | SimcancelError]):
    """The lazy results.  Pickled (a Dask task's return value), they become what is left of
    them, worked out once: the results not yet taken and the error that ended them, if
    one did, replayed in that order where they are unpickled (:class:`_Replay`).

    The work happens at the first pickling, and Dask may pickle a value several times
    (its own picklers after the standard one fails): each time gives the same outcome,
    and a bad record's error is raised where the results are read, never while pickling
    or unpickling them (which Dask reports poorly, or not at all).
    """

    __slots__ = ("_results",)

    def __init__(self, results: Iterator[Assessment | SimcancelError]) -> None:
        self._results = results

    def __next__(self) -> Assessment | SimcancelError:
        return next(self._results)

    def __reduce__(
        self,
    ) -> tuple[type[_Replay], tuple[list[Assessment | SimcancelError], SimcancelError | None]]:
        if not isinstance(self._results, _Replay):
            taken: list[Assessment | SimcancelError] = []
            error: SimcancelError | None = None
            try:
                taken.extend(self._results)
            except SimcancelError as raised:
                error = raised
            self._results = _Replay(taken, error)
        return self._results.__reduce__()


class _Replay(Iterator[Assessment | SimcancelError]):
    """Results worked out already: each in turn, then ``error`` raised (if any), then the end."""

    __slots__ = ("_error", "_left")

    def __init__(self, left: list[Assessment | SimcancelError], error: SimcancelError | None) -> None:
        self._left = collections.deque(left)
        self._error = error

    def __next__(self) -> Assessment | SimcancelError:
        if self._left:
            return self._left.popleft()
        error, self._error = self._error, None
        if error is not None:
            raise error
        raise StopIteration

    def __reduce__(
        self,
    ) -> tuple[type[_Replay], tuple[list[Assessment | SimcancelError], SimcancelError | None]]:
        return (_Replay, (list(self._left), self._error))


def _assess_each(
    states: Iterable[UserState | Mapping[str, object]],
    rules: RuleSet | None,
    locale: str,
    as_of: dt.date,
    on_error: OnError,
) -> Iterator[Assessment | SimcancelError]:
    ruleset = default_rules() if rules is None else rules
    for index, item in enumerate(states):
        failed: SimcancelError | None = None
        try:
            state = item if isinstance(item, UserState) else UserState.from_dict(item)
            yield assess(state, rules=ruleset, locale=locale, as_of=as_of)
        except SimcancelError as error:
            if on_error == "return":
                yield error
                continue
            failed = error
        if failed is not None:
            # Raised outside the except block: no second traceback rides along.
            raise _at(failed, index)


def _at(error: SimcancelError, index: int) -> SimcancelError:
    """``error`` of the state at ``index`` of the batch, saying so: an invalid state's
    paths start at that state (``$[3].balance``), any other error gets a note."""
    if isinstance(error, InvalidStateError):
        return InvalidStateError(
            [
                attrs.evolve(problem, path=f"$[{index}]{problem.path.removeprefix('$')}")
                for problem in error.problems
            ]
        )
    error.add_note(f"(the state at index {index} of the batch)")
    return error
