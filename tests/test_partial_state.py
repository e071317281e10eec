"""PartialState: unknown fields, "I do not know", and the same checks as UserState.from_dict."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from simcancel import InvalidStateError, PartialState, UserState
from simcancel._fields import FIELDS
from tests.packs import clean_state


def _problems(call: Any, data: object) -> list[tuple[str, str]]:
    with pytest.raises(InvalidStateError) as caught:
        call(data)
    return [(problem.path, problem.message) for problem in caught.value.problems]


def test_empty_partial_state_knows_nothing() -> None:
    """An empty object is a partial state with every field unknown and none declined."""
    partial = PartialState.from_dict({})
    assert partial.unknown == tuple(field.path for field in FIELDS)
    assert not partial.known
    assert not partial.declined
    assert not partial.is_complete


def test_absent_null_and_unknown_are_all_unknown() -> None:
    """Absent and null leave a field unknown; "unknown" declines it (still unknown)."""
    partial = PartialState.from_dict(
        {"provider": "jazz", "balance": None, "documents": {"passport_copy": "unknown"}}
    )
    assert dict(partial.known) == {"provider": "jazz"}
    assert "balance" in partial.unknown
    assert "documents.passport_copy" in partial.unknown
    assert partial.declined == frozenset({"documents.passport_copy"})


def test_unknown_issue_date_is_the_states_null() -> None:
    """activated_on "unknown" is a known answer: the state's null (the day is not known)."""
    partial = PartialState.from_dict({"activated_on": "unknown"})
    assert dict(partial.known) == {"activated_on": None}
    assert partial.to_dict() == {"activated_on": "unknown"}


def test_unknown_enum_value_is_that_value() -> None:
    """registered_owner "unknown" is the enum value the rules read, not a declined field."""
    partial = PartialState.from_dict({"registered_owner": "unknown"})
    assert dict(partial.known) == {"registered_owner": "unknown"}
    assert not partial.declined


def test_a_whole_group_can_be_unknown() -> None:
    """A sub-object given as "unknown" declines every field in it."""
    partial = PartialState.from_dict({"documents": "unknown"})
    assert partial.declined == {field.path for field in FIELDS if field.path.startswith("documents.")}


def test_nothing_is_defaulted() -> None:
    """Fields a UserState defaults (intentions, sim_form) stay unknown in a partial state."""
    partial = PartialState.from_dict(clean_state())
    assert "intentions.discard_card" in partial.unknown
    assert "sim_form" in partial.unknown
    assert "activated_on" in partial.unknown


def test_complete_partial_state_converts_to_its_user_state() -> None:
    """A partial state of a whole state converts back to an equal UserState."""
    state = UserState.from_dict(clean_state(activated_on="2024-02-03"))
    partial = PartialState.from_state(state)
    assert partial.is_complete
    assert partial.unknown == ()
    assert partial.to_state() == state
    assert PartialState.from_dict(partial.to_dict()) == partial


def test_incomplete_partial_state_names_each_missing_field() -> None:
    """to_state() of an incomplete partial state lists every field still unknown."""
    problems = _problems(lambda data: PartialState.from_dict(data).to_state(), {"provider": "jazz"})
    assert ("$.plan", "not known yet (answer it first)") in problems
    assert len(problems) == len(FIELDS) - 1


@pytest.mark.parametrize(
    "changes",
    [
        {"arears": "1"},
        {"balance": "1.234"},
        {"plan": "prepay"},
        {"documents": {"passport_copy": "no"}},
        {"unused": {"sms": -1}},
        {"activated_on": "20240101"},
        {"services": [{"kind": "sms", "active": True}]},
        {"documents": 5},
    ],
)
def test_invalid_values_give_the_problems_from_dict_gives(changes: dict[str, Any]) -> None:
    """A wrong value in a partial state is reported with from_dict's own $.path and message."""
    merged = clean_state()
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    expected = _problems(UserState.from_dict, merged)
    assert _problems(PartialState.from_dict, changes) == expected


def test_not_an_object_is_refused() -> None:
    """A partial state is an object: a list or a number is refused at $."""
    assert _problems(PartialState.from_dict, [1]) == [("$", "expected an object with fields, got [1]")]


def test_answer_adds_declines_and_forgets() -> None:
    """answer() sets a value, "unknown" declines, None forgets; each is checked."""
    partial = PartialState().answer("balance", "12.5")
    assert partial.known["balance"] == "12.50"
    partial = partial.answer("plan", "unknown")
    assert "plan" in partial.declined
    partial = partial.answer("balance", None)
    assert "balance" not in partial.known
    assert _problems(lambda value: partial.answer("balance", value), "1.001")[0][0] == "$.balance"
    assert _problems(lambda path: partial.answer(path, 1), "balanse") == [
        ("$.balanse", "unknown field (did you mean 'balance'?)")
    ]


def test_constructor_checks_like_from_dict() -> None:
    """Building a PartialState directly checks its values and field names too."""
    assert _problems(lambda known: PartialState(known=known), {"balance": "x"})[0][0] == "$.balance"
    assert _problems(lambda known: PartialState(known=known), {"nope": 1})[0][0] == "$.nope"
    with pytest.raises(InvalidStateError, match="got both"):
        PartialState(known={"plan": "prepaid"}, declined={"plan"})


def test_partial_state_and_its_errors_pickle() -> None:
    """A partial state and an error about one survive pickling whole."""
    partial = PartialState.from_dict({"provider": "jazz", "plan": "unknown"})
    assert pickle.loads(pickle.dumps(partial)) == partial
    with pytest.raises(InvalidStateError) as caught:
        PartialState.from_dict({"balance": "1.234"})
    again = pickle.loads(pickle.dumps(caught.value))
    assert again.problems == caught.value.problems


def test_from_json_reads_exact_decimals() -> None:
    """from_json parses numbers exactly, as UserState.from_json does."""
    partial = PartialState.from_json('{"balance": 0.1, "arrears": 1e2}')
    assert partial.known["balance"] == "0.10"
    assert UserState.from_dict(clean_state(arrears=partial.known["arrears"])).arrears == 100


@pytest.mark.parametrize(
    ("arguments", "path"),
    [
        ({"known": None}, "$"),
        ({"known": 5}, "$"),
        ({"declined": None}, "$"),
        ({"declined": "balance"}, "$"),
        ({"declined": 5}, "$"),
        ({"declined": [["balance"]]}, "$"),
    ],
)
def test_constructor_refuses_what_is_not_a_mapping_or_a_set_of_fields(
    arguments: dict[str, Any], path: str
) -> None:
    """known not a mapping, declined a bare string or not iterable: InvalidStateError, not TypeError."""
    with pytest.raises(InvalidStateError) as caught:
        PartialState(**arguments)
    assert caught.value.problems[0].path == path


def test_known_values_are_read_only_and_the_state_hashes() -> None:
    """A known list (services) cannot be changed through known, and the partial state hashes
    like the frozen value object it is; to_dict still gives plain JSON lists."""
    data = {"services": [{"kind": "sms", "active": True, "recurring": False}]}
    partial = PartialState.from_dict(data)
    services = partial.known["services"]
    with pytest.raises((TypeError, AttributeError)):
        services.append({"kind": "sms", "active": True, "recurring": True})  # type: ignore[attr-defined]
    assert len(partial.to_dict()["services"]) == 1
    assert hash(partial) == hash(PartialState.from_dict(data))
    assert isinstance(partial.to_dict()["services"], list)


def test_service_counts_over_the_limit_are_refused_before_any_list_is_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """answer("services", {"active": 10**9, ...}) is from_dict's "at most 10000 services", found
    before a billion services are written out (a MemoryError, or the machine's memory, before)."""
    import attrs

    import simcancel._facts as facts
    from simcancel.model import MAX_COUNT, MAX_SERVICES

    write = facts.SERVICE_COUNTS.write

    def guarded(counts: Any, as_of: Any) -> Any:
        assert int(counts["active_services"]) <= MAX_SERVICES, "a list this long is never built"
        return write(counts, as_of)

    monkeypatch.setattr(facts, "SERVICE_COUNTS", attrs.evolve(facts.SERVICE_COUNTS, write=guarded))
    expected = ("$.services", f"expected at most {MAX_SERVICES} services, got {MAX_SERVICES + 1}")
    assert _problems(
        lambda n: PartialState().answer("services", {"active": n, "recurring": 0}), MAX_SERVICES + 1
    ) == [expected]
    assert _problems(lambda n: PartialState().answer("services", {"active": n, "recurring": n}), MAX_COUNT)[
        0
    ][0] == ("$.services")


def test_constructor_refuses_a_deeply_nested_value_like_from_dict() -> None:
    """PartialState(known={"balance": <list nested 100000 deep>}) is from_dict's problem at
    $.balance, not a RecursionError from copying it first."""
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    expected = _problems(PartialState.from_dict, {"balance": deep})
    assert _problems(lambda known: PartialState(known=known), {"balance": deep}) == expected


def test_an_integer_too_long_to_print_is_an_invalid_state() -> None:
    """A 10000-digit integer as a key, a path or a service count: InvalidStateError, not the
    ValueError of Python's int-to-text digit limit."""
    huge = 10**10000
    with pytest.raises(InvalidStateError):
        PartialState.from_dict({huge: 1})
    with pytest.raises(InvalidStateError):
        PartialState(known={huge: 1})  # type: ignore[dict-item]
    with pytest.raises(InvalidStateError):
        PartialState().answer(huge, 1)  # type: ignore[arg-type]
    with pytest.raises(InvalidStateError):
        PartialState().answer("services", {"active": huge, "recurring": 0})
