"""assess_many(): in order, streaming, errors in place or raised, and as a Dask bag function."""

from __future__ import annotations

import datetime as dt
import itertools
import pickle
from collections.abc import Iterator
from typing import Any

import pytest

from simcancel import Assessment, InvalidStateError, UsageError, UserState, assess, assess_many
from tests.packs import VALID_STATE, clean_state

AS_OF = dt.date(2026, 11, 24)


def _states(count: int) -> list[dict[str, Any]]:
    return [clean_state(balance=f"{index}.00") for index in range(count)]


def test_results_come_in_order_and_equal_assess() -> None:
    """Each result is what assess() gives for that state, in the order of the input."""
    states = _states(5)
    results = list(assess_many(states, locale="en", as_of=AS_OF))
    assert results == [assess(UserState.from_dict(state), locale="en", as_of=AS_OF) for state in states]


def test_it_streams_instead_of_reading_everything_first() -> None:
    """The first answer comes before the input is exhausted (an endless input works)."""
    endless: Iterator[dict[str, Any]] = itertools.cycle(_states(2))
    first = list(itertools.islice(assess_many(endless, as_of=AS_OF), 3))
    assert [result.can_cancel_now for result in first] == [True, False, True]


def test_user_states_and_dicts_mix() -> None:
    """Model objects and their dict form are both accepted."""
    results = list(assess_many([UserState.from_dict(VALID_STATE), VALID_STATE], as_of=AS_OF))
    assert results[0] == results[1]


def test_a_bad_record_raises_by_default_and_is_returned_on_request() -> None:
    """on_error='raise' stops with the state's error; 'return' yields it in place and goes on."""
    items = [clean_state(), {"provider": "jazz"}, clean_state()]
    with pytest.raises(InvalidStateError, match="required field is missing"):
        list(assess_many(items, as_of=AS_OF))
    results = list(assess_many(items, as_of=AS_OF, on_error="return"))
    assert isinstance(results[0], Assessment)
    assert isinstance(results[1], InvalidStateError)
    assert isinstance(results[2], Assessment)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: assess_many(clean_state()), "states: expected an iterable of states or dicts"),  # type: ignore[arg-type]
        (lambda: assess_many([], on_error="ignore"), "on_error: expected 'raise' or 'return'"),  # type: ignore[call-overload]
    ],
)
def test_bad_arguments_are_usage_errors_at_call_time(call: Any, message: str) -> None:
    """A single state or an unknown on_error is refused when called, naming the argument."""
    with pytest.raises(UsageError, match=message):
        call()


def test_pickled_results_are_the_remaining_answers() -> None:
    """A results iterator crosses a process boundary as the results it had left, in order."""
    results = assess_many(_states(3), as_of=AS_OF)
    first = next(results)
    rest = pickle.loads(pickle.dumps(results))
    assert list(rest) == list(assess_many(_states(3), as_of=AS_OF))[1:]
    assert first.can_cancel_now


def test_results_pickled_again_are_the_same_and_a_bad_record_raises_where_they_are_read() -> None:
    """Pickling works the results out once: a second pickling (Dask retries with other
    picklers) gives the same answers, and the error of a bad record is raised, after the
    answers before it, where they are read, not while pickling."""
    items = [*_states(2), {"provider": "jazz"}, *_states(1)]
    with pytest.raises(InvalidStateError) as here:
        list(assess_many(items, as_of=AS_OF))
    results = assess_many(items, as_of=AS_OF)
    once, again = pickle.dumps(results), pickle.dumps(results)
    for data in (once, again):
        replayed = pickle.loads(data)
        assert [next(replayed), next(replayed)] == list(assess_many(_states(2), as_of=AS_OF))
        with pytest.raises(InvalidStateError) as there:
            next(replayed)
        assert there.value.problems == here.value.problems
        assert list(replayed) == []
    local = assess_many(items, as_of=AS_OF)
    pickle.dumps(local)  # the iterator pickled replays the same where it is, too
    assert len([next(local), next(local)]) == 2
    with pytest.raises(InvalidStateError):
        next(local)


def test_results_survive_distributeds_own_pickler() -> None:
    """distributed's pickle (standard pickle, then its own, then cloudpickle) keeps every answer."""
    protocol = pytest.importorskip("distributed.protocol.pickle")
    items = [*_states(2), {"provider": "jazz"}]
    replayed = protocol.loads(protocol.dumps(assess_many(items, as_of=AS_OF)))
    assert [next(replayed), next(replayed)] == list(assess_many(_states(2), as_of=AS_OF))
    with pytest.raises(InvalidStateError):
        next(replayed)


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    """A Dask client of a real LocalCluster: 2 worker processes, one thread each."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_a_dask_bag_on_a_local_cluster_gives_the_same_answers(dask_client: Any) -> None:
    """assess_many is the function of a Dask bag's map_partitions on 2 worker processes."""
    db = pytest.importorskip("dask.bag")
    states = _states(40)
    expected = list(assess_many(states, locale="en", as_of=AS_OF))
    bag = db.from_sequence(states, npartitions=4)
    results = bag.map_partitions(assess_many, locale="en", as_of=AS_OF).compute()
    assert results == expected


def test_an_error_in_a_dask_worker_reaches_the_client_whole(dask_client: Any) -> None:
    """A bad record in a worker raises, at the client, the InvalidStateError it raises here."""
    db = pytest.importorskip("dask.bag")
    items = [*_states(3), {"provider": "jazz"}]
    with pytest.raises(InvalidStateError) as here:
        list(assess_many(items, as_of=AS_OF))
    bag = db.from_sequence(items, npartitions=2)
    with pytest.raises(InvalidStateError) as there:
        bag.map_partitions(assess_many, as_of=AS_OF).compute()
    assert type(there.value) is InvalidStateError
    # The same problems; the index in their paths counts within the partition ($[1] of 2).
    assert [(p.path.replace("$[1]", "$[3]"), p.message) for p in there.value.problems] == [
        (p.path, p.message) for p in here.value.problems
    ]
    returned = bag.map_partitions(assess_many, as_of=AS_OF, on_error="return").compute()
    assert isinstance(returned[3], InvalidStateError)
    assert [problem.message for problem in returned[3].problems] == [p.message for p in here.value.problems]
    assert all(problem.path.startswith("$.") for problem in returned[3].problems)  # in place: no index


def test_a_raised_error_names_the_state_of_the_batch() -> None:
    """on_error='raise' says which state failed: an invalid state's paths start at its index."""
    with pytest.raises(InvalidStateError) as caught:
        list(assess_many([*_states(2), {**clean_state(), "balance": "12,50"}], as_of=AS_OF))
    assert [problem.path for problem in caught.value.problems] == ["$[2].balance"]
    assert "(did you mean '12.50'?)" in caught.value.problems[0].message
