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

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Literal, overload

from simcancel._assess import assess, default_rules
from simcancel._clock import today_in_pakistan
from simcancel._errors import SimcancelError, UsageError
from simcancel._ruleset import RuleSet
from simcancel.model import Assessment, UserState

__all__ = ["assess_many"]

OnError = Literal["raise", "return"]


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
    """The lazy results; pickled (a Dask task's return value), it becomes the list of the
    results not yet taken, since a running generator cannot cross a process boundary."""

    __slots__ = ("_results",)

    def __init__(self, results: Iterator[Assessment | SimcancelError]) -> None:
        self._results = results

    def __next__(self) -> Assessment | SimcancelError:
        return next(self._results)

    def __reduce__(
        self,
    ) -> tuple[type[list[Assessment | SimcancelError]], tuple[list[Assessment | SimcancelError]]]:
        return (list, (list(self._results),))


def _assess_each(
    states: Iterable[UserState | Mapping[str, object]],
    rules: RuleSet | None,
    locale: str,
    as_of: dt.date,
    on_error: OnError,
) -> Iterator[Assessment | SimcancelError]:
    ruleset = default_rules() if rules is None else rules
    for item in states:
        try:
            state = item if isinstance(item, UserState) else UserState.from_dict(item)
            yield assess(state, rules=ruleset, locale=locale, as_of=as_of)
        except SimcancelError as error:
            if on_error == "raise":
                raise
            yield error
