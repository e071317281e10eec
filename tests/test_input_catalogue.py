"""The catalogue of bad states: every way a state can be wrong, its error class and message.

Each entry pins the exact problems (``$.path: message``) that ``UserState.from_json``,
``UserState.from_dict`` or ``assess`` report, the CLI's exit code 2 with the same text,
and that the next valid call still gives the right answer.  ``docs/errors.md`` lists the
same messages; a test checks it does, so the page cannot drift from the code.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import simcancel
from simcancel import (
    Assessment,
    InvalidStateError,
    SimcancelError,
    UsageError,
    UserState,
    assess,
    default_rules,
)
from simcancel.cli import EXIT_BAD_INPUT, main
from tests.packs import VALID_STATE

AS_OF = dt.date(2026, 11, 24)
DOCS = Path(__file__).resolve().parents[1] / "docs" / "errors.md"


_MONEY_TEXT = (
    "expected a non-negative amount in PKR with at most two decimals, "
    "written with the digits 0-9 and a point, got "
)
"""The start of the problem with an amount given as text that is not a decimal number."""


def _with(**fields: Any) -> dict[str, Any]:
    state = copy.deepcopy(VALID_STATE)
    state.update(fields)
    return state


def _without(name: str) -> dict[str, Any]:
    state = copy.deepcopy(VALID_STATE)
    del state[name]
    return state


def _nested_lists(depth: int) -> Any:
    value: Any = True
    for _ in range(depth):
        value = [value]
    return value


def _nested_dicts(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


def _json_with(field: str, literal: str) -> str:
    return json.dumps(_with(**{field: 0})).replace(f'"{field}": 0', f'"{field}": {literal}')


def _unused(data_mb: object) -> dict[str, Any]:
    return _with(unused={"data_mb": data_mb, "minutes": 0, "sms": 0})


def _situation(can_visit_store: object) -> dict[str, Any]:
    return _with(situation={"can_visit_store": can_visit_store, "reads_english": True})


_MISSING_TOP = [
    f"$.{name}: required field is missing"
    for name in (
        "provider",
        "plan",
        "balance",
        "arrears",
        "line_status",
        "services",
        "unused",
        "documents",
        "situation",
    )
]
_LONG_X = "'" + "x" * 54 + "...'"
_ODD_KEY: dict[object, Any] = {}
_ODD_KEY.update(VALID_STATE)
_ODD_KEY[7] = 1
_TEN_MB = json.dumps(_with(provider="x" * 10_000_000))

# (id, how it is handed in, the input, the exact problems reported)
JSON_CASES: list[tuple[str, str | bytes, list[str]]] = [
    (
        "malformed JSON",
        '{"provider": "jazz",',
        [
            "$: expected JSON, got a syntax error at line 1 column 21: Expecting property name "
            "enclosed in double quotes"
        ],
    ),
    ("wrong top-level type", "[1, 2]", ["$: expected an object with fields, got [1, 2]"]),
    ("empty text (an empty file)", b"", ["$: expected JSON, got an empty text"]),
    ("only white space", " \n", ["$: expected JSON, got only white space"]),
    (
        "bytes that are not UTF-8",
        b'{"provider": "\xffjazz"}',
        ["$: expected UTF-8 text, got a byte b'\\xff' at offset 14"],
    ),
    ("NaN literal", '{"balance": NaN}', ["$: expected finite numbers, got NaN"]),
    ("Infinity literal", '{"balance": -Infinity}', ["$: expected finite numbers, got -Infinity"]),
    ("more than 1 MB of JSON", " " * 1_000_001, ["$: expected at most 1000000 bytes of JSON, got 1000001"]),
    ("10 MB string", _TEN_MB, [f"$: expected at most 1000000 bytes of JSON, got {len(_TEN_MB)}"]),
    (
        "nesting 10,000 deep",
        "[" * 10_000 + "]" * 10_000,
        ["$: expected JSON nested at most a few levels, got nesting too deep to parse"],
    ),
    (
        "integer of 5000 digits",
        '{"balance": ' + "9" * 5000 + "}",
        ["$: expected numbers of at most 100 digits, got one of 5000 digits"],
    ),
    (
        "exponent no decimal holds",
        '{"balance": 1145580E999999999999999994}',
        ["$: expected a number whose exponent a decimal can hold, got '1145580E999999999999999994'"],
    ),
    (
        "1e308 amount",
        _json_with("balance", "1e308"),
        ["$.balance: expected an amount of at most PKR 1000000000, got Decimal('1E+308')"],
    ),
    (
        "over-precise amount",
        _json_with("balance", "0.30000000000000004"),
        ["$.balance: expected at most two decimals (paisa), got Decimal('0.30000000000000004')"],
    ),
    (
        "amount as a JSON string",
        _json_with("arrears", '"-0.5"'),
        ["$.arrears: expected a non-negative amount in PKR, got '-0.5'"],
    ),
]

_NOT_TEXT = "$: expected JSON text (str or bytes) for UserState.from_json(text), got"

# (id, the argument handed to UserState.from_json, the exact problems reported)
NOT_TEXT_CASES: list[tuple[str, object, list[str]]] = [
    ("a number", 123, [f"{_NOT_TEXT} 123"]),
    ("None", None, [f"{_NOT_TEXT} None"]),
    ("a memoryview", memoryview(b"{}"), [f"{_NOT_TEXT} an object of type memoryview"]),
]

DICT_CASES: list[tuple[str, object, list[str]]] = [
    ("top level is a string", "jazz", ["$: expected an object with fields, got 'jazz'"]),
    ("top level is None", None, ["$: expected an object with fields, got None"]),
    (
        "top level is a list",
        [VALID_STATE],
        [
            "$: expected an object with fields, got [{'provider': "
            "'jazz', 'plan': 'prepaid', 'balance': '15...]"
        ],
    ),
    ("missing required field", _without("plan"), ["$.plan: required field is missing"]),
    ("missing services (hides A5)", _without("services"), ["$.services: required field is missing"]),
    ("unknown field", _with(balanse="0"), ["$.balanse: unknown field (did you mean 'balance'?)"]),
    (
        "unknown nested field",
        _with(situation={"can_visit_store": True, "reads_english": True, "need_it_fast": True}),
        ["$.situation.need_it_fast: unknown field (did you mean 'needs_it_fast'?)"],
    ),
    (
        "dotted field name",
        _with(**{"documents.passport_copy": True}),
        [
            "$['documents.passport_copy']: unknown field "
            '(write it nested: {"documents": {"passport_copy": ...}})'
        ],
    ),
    ("field name not a string", _ODD_KEY, ["$[7]: unknown field (field names are short strings)"]),
    (
        "10 MB field name",
        _with(**{"y" * 10_000_000: 1}),
        ["$['" + "y" * 54 + "...']: unknown field (field names are short strings)"],
    ),
    (
        "money: bool",
        _with(balance=True),
        ["$.balance: expected a non-negative amount in PKR with at most two decimals, got True"],
    ),
    (
        "money: list",
        _with(balance=[1]),
        ["$.balance: expected a non-negative amount in PKR with at most two decimals, got [1]"],
    ),
    (
        "money: words",
        _with(balance="a lot"),
        ["$.balance: " + _MONEY_TEXT + "'a lot'"],
    ),
    ("money: negative", _with(balance=-5), ["$.balance: expected a non-negative amount in PKR, got -5"]),
    (
        "money: negative text",
        _with(arrears="-5"),
        ["$.arrears: expected a non-negative amount in PKR, got '-5'"],
    ),
    (
        "money: float NaN",
        _with(balance=float("nan")),
        ["$.balance: expected a non-negative amount in PKR, got nan"],
    ),
    (
        "money: Decimal NaN",
        _with(balance=Decimal("NaN")),
        ["$.balance: expected a non-negative amount in PKR, got Decimal('NaN')"],
    ),
    (
        "money: text NaN",
        _with(balance="NaN"),
        ["$.balance: " + _MONEY_TEXT + "'NaN'"],
    ),
    (
        "money: Infinity",
        _with(balance=float("inf")),
        ["$.balance: expected a non-negative amount in PKR, got inf"],
    ),
    (
        "money: float 1e308",
        _with(balance=1e308),
        ["$.balance: expected an amount of at most PKR 1000000000, got 1e+308"],
    ),
    (
        "money: Decimal 1e308",
        _with(balance=Decimal("1e308")),
        ["$.balance: expected an amount of at most PKR 1000000000, got Decimal('1E+308')"],
    ),
    (
        "money: over the maximum",
        _with(balance="1000000000.01"),
        ["$.balance: expected an amount of at most PKR 1000000000, got '1000000000.01'"],
    ),
    (
        "money: over-precise",
        _with(balance="1.001"),
        ["$.balance: expected at most two decimals (paisa), got '1.001'"],
    ),
    (
        "money: float noise",
        _with(balance=0.1 + 0.2),
        ["$.balance: expected at most two decimals (paisa), got 0.30000000000000004"],
    ),
    (
        "money: tiny exponent",
        _with(balance="1e-999999999"),
        ["$.balance: " + _MONEY_TEXT + "'1e-999999999'"],
    ),
    (
        "money: spaces",
        _with(balance=" 12 "),
        ["$.balance: " + _MONEY_TEXT + "' 12 ' (did you mean '12'?)"],
    ),
    (
        "money: Arabic-Indic digits",
        _with(balance="١٢"),
        ["$.balance: " + _MONEY_TEXT + "'١٢'"],
    ),
    (
        "money: underscore",
        _with(balance="1_000"),
        ["$.balance: " + _MONEY_TEXT + "'1_000'"],
    ),
    (
        "money: plus sign",
        _with(balance="+5"),
        ["$.balance: " + _MONEY_TEXT + "'+5'"],
    ),
    (
        "money: exponent",
        _with(balance="1e2"),
        ["$.balance: " + _MONEY_TEXT + "'1e2'"],
    ),
    (
        "money: leading zeros",
        _with(balance="0000000001"),
        [
            "$.balance: expected a non-negative amount in PKR with at most two decimals, "
            "written with at most 9 digits before the point (or 1000000000), got '0000000001'"
        ],
    ),
    (
        "money: three decimals written",
        _with(balance="1.000"),
        ["$.balance: expected at most two decimals (paisa), got '1.000'"],
    ),
    (
        "money: huge integer",
        _with(balance=10**400),
        ["$.balance: expected an amount of at most PKR 1000000000, got 1" + "0" * 54 + "...0"],
    ),
    (
        "count: huge integer",
        _unused(10**400),
        ["$.unused.data_mb: expected a whole number from 0 to 1000000000, got 1" + "0" * 54 + "...0"],
    ),
    (
        "count: negative",
        _unused(-1),
        ["$.unused.data_mb: expected a whole number from 0 to 1000000000, got -1"],
    ),
    ("count: bool", _unused(True), ["$.unused.data_mb: expected a whole number, got True"]),
    ("count: float", _unused(1.5), ["$.unused.data_mb: expected a whole number, got 1.5"]),
    ("count: text", _unused("12"), ["$.unused.data_mb: expected a whole number, got '12'"]),
    ("bool: int", _situation(1), ["$.situation.can_visit_store: expected true or false, got 1"]),
    (
        "bool: text",
        _situation("no"),
        [
            "$.situation.can_visit_store: expected true or false, got 'no' "
            "(did you mean false, without quotes?)"
        ],
    ),
    (
        "money: decimal comma",
        _with(balance="12,50"),
        ["$.balance: " + _MONEY_TEXT + "'12,50' (did you mean '12.50'?)"],
    ),
    (
        "date: slashes",
        _with(activated_on="2024/01/10"),
        ["$.activated_on: expected a date as 'YYYY-MM-DD', got '2024/01/10' (did you mean '2024-01-10'?)"],
    ),
    (
        "enum: unknown value",
        _with(plan="prepayed"),
        ["$.plan: expected one of 'prepaid', 'postpaid', got 'prepayed' (did you mean 'prepaid'?)"],
    ),
    (
        "enum: number",
        _with(line_status=3),
        ["$.line_status: expected one of 'active', 'suspended', 'blocked', got 3"],
    ),
    (
        "enum in a list item",
        _with(services=[{"kind": "dta", "active": True, "recurring": False}]),
        [
            "$.services[0].kind: expected one of 'sms', 'data', 'voice', 'other', got 'dta' "
            "(did you mean 'data'?)"
        ],
    ),
    ("services not a list", _with(services="data"), ["$.services: expected a list of services, got 'data'"]),
    ("service not an object", _with(services=[1]), ["$.services[0]: expected an object with fields, got 1"]),
    (
        "more than 10,000 services",
        _with(services=[{"kind": "sms", "active": True, "recurring": False}] * 10_001),
        ["$.services: expected at most 10000 services, got 10001"],
    ),
    ("part not an object", _with(documents=[]), ["$.documents: expected an object with fields, got []"]),
    (
        "date: no such day",
        _with(activated_on="2024-02-30"),
        ["$.activated_on: expected a date as 'YYYY-MM-DD', got '2024-02-30'"],
    ),
    (
        "date: a number",
        _with(activated_on=20240101),
        ["$.activated_on: expected a date as 'YYYY-MM-DD', got 20240101"],
    ),
    (
        "date: without dashes",
        _with(activated_on="20240101"),
        ["$.activated_on: expected a date as 'YYYY-MM-DD', got '20240101'"],
    ),
    (
        "date: ISO week date",
        _with(activated_on="2024-W01-1"),
        ["$.activated_on: expected a date as 'YYYY-MM-DD', got '2024-W01-1'"],
    ),
    ("provider: empty", _with(provider=""), ["$.provider: expected a string of 1 to 200 characters, got ''"]),
    (
        "provider: 10 MB string",
        _with(provider="x" * 10_000_000),
        [f"$.provider: expected a string of 1 to 200 characters, got {_LONG_X}"],
    ),
    ("nesting 10,000 deep (whole state)", _nested_dicts(10_000), ["$.a: unknown field", *_MISSING_TOP]),
    (
        "nesting 10,000 deep (in a field)",
        _situation(_nested_lists(10_000)),
        ["$.situation.can_visit_store: expected true or false, got <list nested too deeply to show>"],
    ),
    (
        "several problems at once",
        _with(balance="-1", plan="x", unused={"data_mb": 0, "minutes": 0}),
        [
            "$.plan: expected one of 'prepaid', 'postpaid', got 'x'",
            "$.balance: expected a non-negative amount in PKR, got '-1'",
            "$.unused.sms: required field is missing",
        ],
    ),
]


@pytest.fixture(scope="module")
def baseline() -> Assessment:
    """The assessment of the known-good state, computed before any bad input."""
    return assess(UserState.from_dict(VALID_STATE), locale="en", as_of=AS_OF)


def _problems(error: InvalidStateError) -> list[str]:
    return [str(problem) for problem in error.problems]


def _headline(count: int) -> str:
    return f"invalid user state ({count} problem{'s' if count != 1 else ''}):"


@pytest.mark.parametrize(("label", "text", "expected"), JSON_CASES, ids=[c[0] for c in JSON_CASES])
def test_json_input_is_refused_with_its_exact_problems(
    label: str, text: str | bytes, expected: list[str], baseline: Assessment
) -> None:
    """Each bad JSON text gives an InvalidStateError with exactly these problems."""
    with pytest.raises(InvalidStateError) as caught:
        UserState.from_json(text)
    assert _problems(caught.value) == expected
    assert str(caught.value).splitlines() == [_headline(len(expected)), *("  " + e for e in expected)]
    assert assess(UserState.from_dict(VALID_STATE), locale="en", as_of=AS_OF) == baseline


@pytest.mark.parametrize(("label", "text", "expected"), NOT_TEXT_CASES, ids=[c[0] for c in NOT_TEXT_CASES])
def test_json_input_that_is_not_text_is_refused_naming_the_argument(
    label: str, text: object, expected: list[str], baseline: Assessment
) -> None:
    """UserState.from_json(123 / None / a memoryview) is an InvalidStateError naming the
    argument and the expected form, not a TypeError from len() or json."""
    with pytest.raises(InvalidStateError) as caught:
        UserState.from_json(text)  # type: ignore[arg-type]
    assert _problems(caught.value) == expected
    assert assess(UserState.from_dict(VALID_STATE), locale="en", as_of=AS_OF) == baseline


@pytest.mark.parametrize(("label", "data", "expected"), DICT_CASES, ids=[c[0] for c in DICT_CASES])
def test_dict_input_is_refused_with_its_exact_problems(
    label: str, data: object, expected: list[str], baseline: Assessment
) -> None:
    """Each bad dict gives an InvalidStateError (also a ValueError) with exactly these problems."""
    with pytest.raises(InvalidStateError) as caught:
        UserState.from_dict(data)
    assert isinstance(caught.value, ValueError)
    assert _problems(caught.value) == expected
    assert assess(UserState.from_dict(VALID_STATE), locale="en", as_of=AS_OF) == baseline


def test_unknown_provider_is_refused_by_assess_with_a_suggestion(baseline: Assessment) -> None:
    """A provider the rule set does not know is refused at assess time, naming the known ones."""
    rules = default_rules()
    state = UserState.from_dict(_with(provider="jaz"))
    with pytest.raises(InvalidStateError) as caught:
        assess(state)
    known = ", ".join(sorted(rules.providers))
    assert _problems(caught.value) == [
        f"$.provider: expected a provider of rule set {rules.label} ({known}), got 'jaz' "
        "(did you mean 'jazz'?)"
    ]
    assert assess(UserState.from_dict(VALID_STATE), locale="en", as_of=AS_OF) == baseline


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: assess({"provider": "jazz"}),  # type: ignore[arg-type]
            InvalidStateError,
            "$: expected a UserState (build one with UserState.from_dict), got {'provider': 'jazz'}",
        ),
        (
            lambda: assess(UserState.from_dict(VALID_STATE), locale="fr"),
            UsageError,
            "locale: expected one of zh-CN, en, ur, got 'fr'",
        ),
        (
            lambda: assess(UserState.from_dict(VALID_STATE), locale="zh-TW"),
            UsageError,
            "locale: expected one of zh-CN, en, ur, got 'zh-TW' (did you mean 'zh-CN'?)",
        ),
        (
            lambda: assess(UserState.from_dict(VALID_STATE), rules="rules/"),  # type: ignore[arg-type]
            UsageError,
            "rules: expected a RuleSet from load_rules(), got 'rules/'",
        ),
        (
            lambda: assess(UserState.from_dict(VALID_STATE), as_of="2026-01-01"),  # type: ignore[arg-type]
            UsageError,
            "as_of: expected a datetime.date",
        ),
        (
            lambda: assess(UserState.from_dict(_with(activated_on="2027-01-01")), as_of=AS_OF),
            InvalidStateError,
            "$.activated_on: expected a day on or before the assessment day 2026-11-24, "
            "got '2027-01-01', which is after it",
        ),
    ],
    ids=[
        "not a state",
        "unknown locale",
        "locale case",
        "rules not a RuleSet",
        "as_of text",
        "issued after as_of",
    ],
)
def test_bad_arguments_to_assess_are_usage_or_state_errors(
    call: Any, error: type[SimcancelError], message: str, baseline: Assessment
) -> None:
    """Wrong arguments to assess() give the documented error class and message."""
    with pytest.raises(error) as caught:
        call()
    assert message in str(caught.value)
    assert assess(UserState.from_dict(VALID_STATE), locale="en", as_of=AS_OF) == baseline


def test_default_rules_refuses_a_public_facts_that_is_not_a_bool() -> None:
    """default_rules(public_facts=[]) is a UsageError naming the argument (it was a TypeError
    from the cache: a list is unhashable); 0 is not False either."""
    for value, shown in (([], "[]"), (0, "0"), ("no", "'no'")):
        with pytest.raises(UsageError) as caught:
            default_rules(public_facts=value)  # type: ignore[arg-type]
        assert str(caught.value) == f"public_facts: expected True or False, got {shown}"
    assert default_rules(public_facts=True) is default_rules()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((), "load_rules: expected at least one rule pack directory (str or Path), got none"),
        ((123,), "load_rules: expected rule pack directories (str or Path), got 123"),
    ],
    ids=["no directory", "a number"],
)
def test_load_rules_refuses_missing_or_non_path_arguments(arguments: tuple[Any, ...], message: str) -> None:
    """load_rules() and load_rules(123) are UsageErrors naming the argument and the expected form."""
    with pytest.raises(UsageError) as caught:
        simcancel.load_rules(*arguments)
    assert str(caught.value) == message


def test_constructors_refuse_wrong_types_with_the_field_path() -> None:
    """Building the model directly validates too: the path names the attribute."""
    state = UserState.from_dict(VALID_STATE)
    fields = attrs.asdict(state, recurse=False)
    with pytest.raises(
        InvalidStateError,
        match=r"^invalid user state \(1 problem\):\n  \$\.balance: "
        r"expected a non-negative amount in PKR, got Decimal\('-1'\)$",
    ):
        UserState(**{**fields, "balance": Decimal(-1)})


CLI_CASES = [case for case in JSON_CASES if case[0] not in {"10 MB string", "more than 1 MB of JSON"}]


@pytest.mark.parametrize(("label", "text", "expected"), CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_exits_2_with_the_same_problems(
    label: str, text: str | bytes, expected: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """simcancel assess on a bad file exits 2 and prints the problems on stderr."""
    path = tmp_path / "state.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    assert main(["assess", str(path), "--locale", "en"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith("simcancel: invalid user state")
    for line in expected:
        assert line in err


def test_cli_exits_2_on_a_dict_level_problem_and_0_or_1_on_the_next_good_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A field-level problem also exits 2; the next valid file is assessed normally (1: blocked)."""
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_with(balance="-1")))
    assert main(["assess", str(bad)]) == EXIT_BAD_INPUT
    assert "$.balance: expected a non-negative amount in PKR, got '-1'" in capsys.readouterr().err
    good = tmp_path / "good.json"
    good.write_text(json.dumps(VALID_STATE))
    assert main(["assess", str(good), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["blocking"][0]["code"] == "balance-not-zero"


def test_cli_exits_2_on_a_missing_file_and_bad_arguments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unreadable file and an unknown option are bad input too (exit 2)."""
    assert main(["assess", str(tmp_path / "nope.json")]) == EXIT_BAD_INPUT
    assert "cannot read" in capsys.readouterr().err
    assert main(["assess", "x.json", "--locale", "fr"]) == EXIT_BAD_INPUT


def test_every_catalogued_error_is_a_simcancel_error_and_its_builtin() -> None:
    """The hierarchy documented in docs/errors.md: one root, each also its builtin."""
    assert issubclass(InvalidStateError, ValueError)
    assert issubclass(simcancel.RuleFileError, ValueError)
    assert issubclass(UsageError, ValueError)
    assert issubclass(simcancel.EngineError, RuntimeError)
    assert issubclass(simcancel.NoRouteError, LookupError)
    assert all(
        issubclass(kind, SimcancelError)
        for kind in (
            InvalidStateError,
            simcancel.RuleFileError,
            UsageError,
            simcancel.EngineError,
            simcancel.NoRouteError,
        )
    )


def test_docs_errors_lists_every_catalogued_message() -> None:
    """docs/errors.md shows each pinned message, so the page cannot drift from the code."""
    page = DOCS.read_text(encoding="utf-8")
    missing = [
        line
        for _, _, expected in (*JSON_CASES, *NOT_TEXT_CASES, *DICT_CASES)
        for line in expected
        if len(line) < 200 and line not in page
    ]
    assert missing == []
