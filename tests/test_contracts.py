"""The JSON Schemas of the state and the assessment: generated, valid, and true to the code.

The state schema is held against the real structuring (``UserState.from_dict``): every
valid state passes, every invalid input of the catalogue that JSON can carry fails, and a
mutated state the schema accepts is one ``from_dict`` accepts.  The assessment schema is
held against ``Assessment.to_dict()`` of real answers.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

import simcancel
from simcancel import InvalidStateError, Problem, UsageError, UserState, assess, default_rules, json_schema
from simcancel._contracts import SCHEMAS, schema_text
from simcancel.cli import EXIT_OK, main
from simcancel.testing import user_states
from tests.packs import VALID_STATE, clean_state, issued_by
from tests.test_input_catalogue import DICT_CASES, JSON_CASES

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted((ROOT / "tests" / "cases").glob("*.json"))
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
AS_OF = dt.date(2026, 11, 24)
FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER


def validator(schema: dict[str, Any]) -> Any:
    return jsonschema.Draft202012Validator(schema, format_checker=FORMATS)


STATE = validator(json_schema("state"))
STATE_BUILTIN = validator(json_schema("state", rules=default_rules()))


def closed(schema: Any) -> Any:
    """``schema`` with every object closed: what the tests use to catch undeclared keys."""
    if isinstance(schema, dict):
        found = {key: closed(value) for key, value in schema.items()}
        if "properties" in found and "additionalProperties" not in found:
            found["additionalProperties"] = False
        return found
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    return schema


ASSESSMENT = validator(json_schema("assessment"))
ASSESSMENT_CLOSED = validator(closed(json_schema("assessment")))


def as_json(data: object) -> Any:
    """``data`` as another program would send it: through JSON text, floats and all."""
    return json.loads(json.dumps(data, allow_nan=False))


# --- the schemas themselves ---------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(SCHEMAS))
def test_every_schema_is_a_valid_draft_2020_12_schema(kind: str) -> None:
    """Each named schema is itself a valid JSON Schema of draft 2020-12."""
    schema = json_schema(kind)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator.check_schema(json_schema(kind, rules=default_rules()))


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("state", "schemas/state.schema.json"),
        ("partial-state", "schemas/partial-state.schema.json"),
        ("assessment", "schemas/assessment.schema.json"),
        ("rules", "rules/schema.json"),
    ],
)
def test_the_shipped_files_and_the_command_are_the_generated_schemas(kind: str, path: str) -> None:
    """schemas/*.schema.json and `simcancel schema KIND` are exactly what the code generates."""
    out = io.StringIO()
    assert main(["schema", kind], out=out) == EXIT_OK
    assert out.getvalue() == schema_text(kind) == (ROOT / path).read_text(encoding="utf-8")


def test_json_schema_returns_a_new_dict_each_call() -> None:
    """A caller editing its schema (to drop $schema for a tool API) changes no later one."""
    first = json_schema("state")
    first["properties"].clear()
    assert json_schema("state")["properties"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: json_schema("State"),
            "kind: expected one of state, partial-state, assessment, rules, got 'State' "
            "(did you mean 'state'?)",
        ),
        (lambda: json_schema(3), "kind: expected one of state, partial-state, assessment, rules, got 3"),  # type: ignore[arg-type]
        (
            lambda: json_schema("state", rules="rules/"),  # type: ignore[arg-type]
            "rules: expected a RuleSet from load_rules() or None, got 'rules/'",
        ),
    ],
    ids=["kind case", "kind not text", "rules not a RuleSet"],
)
def test_bad_arguments_are_usage_errors_naming_the_argument(call: Any, message: str) -> None:
    """A wrong kind or rules argument is a UsageError naming the argument and what it takes."""
    with pytest.raises(UsageError) as caught:
        call()
    assert str(caught.value) == message


def test_a_rule_set_narrows_the_provider_to_its_ids() -> None:
    """With rules, provider is an enum of the rule set's providers (an LLM cannot invent one)."""
    rules = default_rules()
    assert json_schema("state", rules=rules)["properties"]["provider"]["enum"] == sorted(rules.providers)
    assert json_schema("assessment", rules=rules)["properties"]["provider"]["enum"] == sorted(rules.providers)
    assert STATE.is_valid(clean_state(provider="nobody"))
    assert not STATE_BUILTIN.is_valid(clean_state(provider="nobody"))


def test_state_schema_is_described_from_the_catalogue_and_the_model() -> None:
    """Descriptions come from the fact catalogue and the model's docstrings, not from prose here."""
    properties = json_schema("state")["properties"]
    assert "fact balance" in properties["balance"]["description"]
    assert "active_services" in properties["services"]["description"]
    assert "fact has_passport_copy" in properties["documents"]["properties"]["passport_copy"]["description"]
    assert properties["services"]["items"]["properties"]["name"]["description"].startswith(
        "A label for people"
    )


# --- the state schema against the real structuring -----------------------------------------


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_every_golden_case_state_is_valid(path: Path) -> None:
    """The state of each golden case passes the state schema (and the built-in providers' one)."""
    state = json.loads(path.read_text(encoding="utf-8"))["state"]
    assert list(STATE.iter_errors(state)) == []
    if state["provider"] in default_rules().providers:  # not a test-only pack's provider
        assert list(STATE_BUILTIN.iter_errors(state)) == []


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_every_example_is_valid(path: Path) -> None:
    """Each examples/*.json passes the state schema."""
    assert list(STATE_BUILTIN.iter_errors(json.loads(path.read_text(encoding="utf-8")))) == []


@given(user_states())
def test_every_valid_state_passes(state: UserState) -> None:
    """Any valid state, as to_dict writes it and JSON carries it, passes the schema."""
    assert list(STATE_BUILTIN.iter_errors(as_json(state.to_dict()))) == []


def _json_carried(data: object) -> tuple[bool, Any]:
    """Whether JSON can carry ``data`` at all, and what arrives."""
    try:
        return True, as_json(data)
    except (TypeError, ValueError, RecursionError):
        return False, None


@pytest.mark.parametrize(("label", "data", "expected"), DICT_CASES, ids=[case[0] for case in DICT_CASES])
def test_every_invalid_state_of_the_catalogue_fails(label: str, data: object, expected: list[str]) -> None:
    """Each catalogued bad state that JSON can carry is refused by the schema too."""
    carried, arrived = _json_carried(data)
    if not carried:
        pytest.skip("not JSON: a Python value (Decimal, NaN, nesting too deep to serialise)")
    with pytest.raises(InvalidStateError):
        UserState.from_dict(arrived)
    assert not STATE.is_valid(arrived)


@pytest.mark.parametrize(("label", "text", "expected"), JSON_CASES, ids=[case[0] for case in JSON_CASES])
def test_every_invalid_json_of_the_catalogue_that_parses_fails(
    label: str, text: str | bytes, expected: list[str]
) -> None:
    """Each catalogued bad JSON text that a JSON parser reads is refused by the schema."""
    try:
        arrived = json.loads(text)
    except (ValueError, RecursionError):
        pytest.skip("not JSON a validator could read: the parser refuses it first")
    assert not STATE.is_valid(arrived)


def test_the_catalogue_exercises_the_schema() -> None:
    """Most catalogued bad states reach the schema (the skips above are the exception)."""
    carried = [label for label, data, _ in DICT_CASES if _json_carried(data)[0]]
    assert len(carried) >= 30


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("balance", "150.00"),
        ("balance", "0"),
        ("balance", 150),
        ("balance", "1000000000.00"),
        ("arrears", "0.5"),
    ],
)
def test_amounts_in_their_exact_forms_pass(field: str, value: object) -> None:
    """A decimal string of at most two decimals, or a whole number, up to PKR 1e9, is an amount."""
    assert STATE.is_valid(clean_state(**{field: value}))
    UserState.from_dict(clean_state(**{field: value}))


@pytest.mark.parametrize("value", ["1.005", "-1", "1000000000.01", "1e3", "", " 5", 150.5, -1, True, None])
def test_amounts_the_schema_refuses(value: object) -> None:
    """Over-precise, negative, too large, exponent or padded strings, fractions as numbers, non-amounts."""
    assert not STATE.is_valid(clean_state(balance=value))


@pytest.mark.parametrize(
    "value", [" 5", "5 ", "1e3", "+5", "1_000", "١٢", "５", "Infinity", "NaN", "-0", "-0.00"]
)
def test_amounts_the_schema_refuses_from_dict_refuses_too(value: str) -> None:
    """Texts Decimal reads but the schema refuses (padding, exponent, sign, other digits): refused."""
    assert not STATE.is_valid(clean_state(balance=value))
    with pytest.raises(InvalidStateError, match=r"\$\.balance: expected a non-negative amount"):
        UserState.from_dict(clean_state(balance=value))


@pytest.mark.parametrize("value", ["0000000001", "00000000001.50", "1.000", "1000000000.000"])
def test_amount_texts_the_schema_refuses_for_their_digits_from_dict_refuses_too(value: str) -> None:
    """Zeros the schema's pattern has no room for (past 9 digits, past 2 decimals): refused."""
    assert not STATE.is_valid(clean_state(balance=value))
    with pytest.raises(InvalidStateError, match=r"\$\.balance: expected"):
        UserState.from_dict(clean_state(balance=value))


@pytest.mark.parametrize("number", ["-0.0", "-0", "-0e0", "-0.00"])
def test_a_json_number_minus_zero_is_the_amount_zero(number: str) -> None:
    """JSON -0.0 is an amount the schema accepts (minimum 0): from_json reads 0.00 and writes "0.00"."""
    text = json.dumps(clean_state(balance="0")).replace('"balance": "0"', f'"balance": {number}')
    assert STATE.is_valid(json.loads(text))
    state = UserState.from_json(text)
    assert str(state.balance) == "0.00"
    assert state.to_dict()["balance"] == "0.00"
    assert STATE.is_valid(state.to_dict())


def test_the_documented_limits_of_json_schema() -> None:
    """Pinned so the docs stay true: what JSON Schema cannot say, the schema leaves to from_dict."""
    # A fractional JSON number is a valid amount, but validators read binary floats: refused.
    assert not STATE.is_valid(clean_state(balance=0.29))
    assert (
        UserState.from_json(json.dumps(clean_state(balance=0.29))).balance
        == simcancel.UserState.from_dict(clean_state(balance="0.29")).balance
    )
    # JSON Schema's integers include 1.0; simcancel refuses a count written with a point.
    one_point_zero = clean_state(unused={"data_mb": 1.0, "minutes": 0, "sms": 0})
    assert STATE.is_valid(one_point_zero)
    with pytest.raises(InvalidStateError):
        UserState.from_dict(one_point_zero)


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", "0", "0.5", "1.005", "-1", "12", "prepaid", "2024-02-30", "2024-01-01", "x" * 201])
    | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=8), inner, max_size=2),
    max_leaves=4,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_paths(value, (*prefix, index)))
    return found


@st.composite
def mutated_states(draw: st.DrawFn) -> Any:
    """A valid state with one field replaced, deleted or added (the unknown-key case)."""
    state = copy.deepcopy(draw(user_states()).to_dict() if draw(st.booleans()) else VALID_STATE)
    path = draw(st.sampled_from(_paths(state)))
    *parents, leaf = path
    holder = state
    for key in parents:
        holder = holder[key]
    action = draw(st.sampled_from(["replace", "delete", "add"]))
    if action == "replace":
        holder[leaf] = draw(_JSON_VALUES)
    elif action == "delete" and isinstance(holder, dict):
        del holder[leaf]
    elif isinstance(holder, dict):
        holder[draw(st.text(min_size=1, max_size=8))] = draw(_JSON_VALUES)
    return as_json(state)


def _a_count_written_with_a_point(problem: Problem) -> bool:
    return problem.message.startswith("expected a whole number, got") and problem.message.endswith(".0")


@given(mutated_states())
def test_what_the_schema_accepts_from_dict_accepts(data: Any) -> None:
    """Soundness: a state the schema accepts is one from_dict builds (bar a count written as 1.0)."""
    if not STATE.is_valid(data):
        return
    problems: list[Problem] = []
    try:
        UserState.from_dict(data)
    except InvalidStateError as error:
        problems = list(error.problems)
    assert all(_a_count_written_with_a_point(problem) for problem in problems), problems


# --- the assessment schema against to_dict -------------------------------------------------


def _golden(path: Path) -> simcancel.Assessment:
    case = json.loads(path.read_text(encoding="utf-8"))
    rules = default_rules()
    if case.get("packs"):
        rules = simcancel.load_rules(
            simcancel.builtin_rules_path(), *(path.parent / pack for pack in case["packs"])
        )
    return assess(
        UserState.from_dict(case["state"]),
        rules=rules,
        locale=case["locale"],
        as_of=dt.date.fromisoformat(case["as_of"]),
    )


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_every_golden_assessment_is_valid_and_fully_declared(path: Path) -> None:
    """Each golden case's answer passes the schema, and has no key the schema does not declare."""
    data = as_json(_golden(path).to_dict())
    assert list(ASSESSMENT.iter_errors(data)) == []
    assert list(ASSESSMENT_CLOSED.iter_errors(data)) == []


@given(user_states(activated_on=issued_by(AS_OF)), st.sampled_from(["zh-CN", "en"]), st.booleans())
def test_every_assessment_is_valid(state: UserState, locale: str, asked: bool) -> None:
    """Any assessment's to_dict (with or without what_if), through JSON, passes the closed schema."""
    data = as_json(assess(state, locale=locale, as_of=AS_OF, what_if=asked).to_dict())
    assert ("what_if" in data) is asked
    assert list(ASSESSMENT_CLOSED.iter_errors(data)) == []


def test_the_assessment_schema_lists_the_keys_in_to_dict_order() -> None:
    """The schema's properties are to_dict's keys, in order; all are required but the opt-in what_if."""
    state = UserState.from_dict(VALID_STATE)
    data = assess(state, locale="en", as_of=AS_OF).to_dict()
    asked = assess(state, locale="en", as_of=AS_OF, what_if=True).to_dict()
    schema = json_schema("assessment")
    assert list(schema["properties"]) == list(asked) == [*data, "what_if"]
    assert schema["required"] == list(data)


def test_a_change_value_must_fit_its_path() -> None:
    """A what-if change carries the state schema of its path: a float balance or a provider fails."""
    data = as_json(assess(UserState.from_dict(VALID_STATE), locale="en", as_of=AS_OF, what_if=True).to_dict())
    assert ASSESSMENT.is_valid(data)
    change_set = data["what_if"]["unblock"]["change_sets"][0]
    for change in ({"path": "balance", "value": 0.5}, {"path": "provider", "value": "zong"}):
        broken = copy.deepcopy(data)
        broken["what_if"]["unblock"]["change_sets"][0] = {**change_set, "changes": [change]}
        assert not ASSESSMENT.is_valid(broken), change


def test_a_wrong_answer_fails_the_assessment_schema() -> None:
    """The schema can fail: a wrong kind, a missing route, a float fact are refused."""
    data = as_json(assess(UserState.from_dict(VALID_STATE), locale="en", as_of=AS_OF).to_dict())
    for broken in (
        {**data, "schema": "simcancel.assessment/2"},
        {key: value for key, value in data.items() if key != "route"},
        {**data, "blocking": [{**data["blocking"][0], "kind": "fatal"}]},
        {**data, "blocking": [{**data["blocking"][0], "facts": {"balance": 1.5}}]},
    ):
        assert not ASSESSMENT.is_valid(broken)


PARTIAL = validator(json_schema("partial-state"))


def test_the_partial_state_schema_takes_unknowns_and_refuses_wrong_values() -> None:
    """The partial-state schema: no field required, null and "unknown" anywhere, unknown keys
    and wrong values refused, as PartialState.from_dict does."""
    good: list[dict[str, Any]] = [
        {},
        {"balance": "5", "documents": {"passport_copy": True}},
        {"documents": "unknown", "activated_on": "unknown", "services": None},
        {"situation": {"can_visit_store": "unknown"}},
    ]
    for data in good:
        assert PARTIAL.is_valid(data)
        simcancel.PartialState.from_dict(data)
    bad: list[dict[str, Any]] = [
        {"balanse": "5"},
        {"documents": {"passport_copy": "yes"}},
        {"balance": "1.234"},
    ]
    for data in bad:
        assert not PARTIAL.is_valid(data)
        with pytest.raises(InvalidStateError):
            simcancel.PartialState.from_dict(data)


def test_the_partial_state_schema_requires_what_a_service_needs() -> None:
    """A service in a partial state still needs kind, active and recurring: the schema refuses
    what PartialState.from_dict refuses (only fields of the state may be left out)."""
    for service in ({"kind": "sms", "active": True}, {"active": True, "recurring": False}, {}):
        data = {"services": [service]}
        with pytest.raises(InvalidStateError):
            simcancel.PartialState.from_dict(data)
        assert not PARTIAL.is_valid(data), service


@given(state=user_states(activated_on=issued_by(dt.date(2026, 11, 24))), data=st.data())
def test_every_partial_state_written_is_valid(state: UserState, data: st.DataObject) -> None:
    """Every partial state's to_dict(), whatever is forgotten or declined, passes the schema."""
    known = simcancel.PartialState.from_state(state).known
    forgotten = data.draw(st.sets(st.sampled_from(sorted(known))))
    declined = data.draw(st.sets(st.sampled_from(sorted(forgotten)))) if forgotten else set()
    partial = simcancel.PartialState(
        known={path: value for path, value in known.items() if path not in forgotten},
        declined=frozenset(path for path in declined if path not in {"activated_on", "registered_owner"}),
    )
    assert PARTIAL.is_valid(as_json(partial.to_dict()))
