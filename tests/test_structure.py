"""The structuring path: dict/JSON -> UserState and back, strict about types."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given

from simcancel import InvalidStateError, UserState
from simcancel._structure import unstructure
from simcancel.testing import user_states
from tests.packs import VALID_STATE


@given(user_states())
def test_dict_and_json_round_trip(state: UserState) -> None:
    """to_dict -> from_dict and to JSON -> from_json give back an equal state."""
    import json

    assert UserState.from_dict(state.to_dict()) == state
    assert UserState.from_json(json.dumps(state.to_dict())) == state


def test_money_is_unstructured_as_a_string_with_paisa() -> None:
    """Amounts leave as strings with two decimals (exact in every JSON reader)."""
    data = unstructure(UserState.from_dict(dict(VALID_STATE, balance=5)))
    assert data["balance"] == "5.00"
    assert data["plan"] == "prepaid"


def test_optional_parts_take_their_safe_defaults() -> None:
    """Intentions and activated_on may be left out; services may not."""
    data = {key: value for key, value in VALID_STATE.items() if key != "intentions"}
    state = UserState.from_dict(data)
    assert not state.intentions.discard_card
    assert state.activated_on is None


def test_every_problem_of_a_state_is_reported_at_once() -> None:
    """Problems in several parts come together, each with its own path."""
    with pytest.raises(InvalidStateError) as caught:
        UserState.from_dict(
            dict(
                VALID_STATE,
                plan="x",
                balance="-1",
                services=[{"kind": "sms", "active": 1, "recurring": False}],
            )
        )
    assert [problem.path for problem in caught.value.problems] == [
        "$.plan",
        "$.balance",
        "$.services[0].active",
    ]


def _chain(error: BaseException | None) -> list[BaseException]:
    """The error and every exception chained to it as __cause__ or __context__."""
    found: list[BaseException] = []
    while error is not None and error not in found:
        found.append(error)
        error = error.__cause__ or error.__context__
    return found


@pytest.mark.parametrize(
    "bad",
    [
        '{"provider": "jazz"}',  # cattrs' ClassValidationError
        '{"provider": ',  # json's JSONDecodeError
        b'{"provider": "\xff"}',  # UnicodeDecodeError
        "[" * 100_000 + "]" * 100_000,  # RecursionError
        '{"balance": NaN}',
    ],
    ids=["missing fields", "malformed", "not UTF-8", "nesting", "NaN"],
)
def test_a_state_error_carries_no_exception_that_cannot_be_unpickled(bad: str | bytes) -> None:
    """No cattrs/json exception rides along as __context__: tools that pickle the chain
    (Dask, tblib) got a plain Exception because cattrs' groups cannot be unpickled."""
    with pytest.raises(InvalidStateError) as caught:
        UserState.from_json(bad)
    assert _chain(caught.value) == [caught.value]
    for error in _chain(caught.value):
        assert str(pickle.loads(pickle.dumps(error))) == str(error)
