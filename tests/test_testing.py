"""simcancel.testing: the strategies and the two-line checks rule authors call."""

from __future__ import annotations

import datetime as dt
import inspect
import os
import subprocess
import sys
import textwrap
import tomllib
import typing
import warnings
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import simcancel
import simcancel.testing
from simcancel import (
    Documents,
    Intentions,
    RuleSet,
    Service,
    ServiceKind,
    Situation,
    UnusedResources,
    UserState,
    _engine,
    default_rules,
    load_rules,
)
from simcancel.testing import (
    amounts,
    assert_consistent,
    assert_matches_reference,
    counts,
    documents,
    intentions,
    providers,
    services,
    situations,
    unused_resources,
    user_states,
)
from tests.packs import BROKEN_PACKS, broken_pack

AS_OF = dt.date(2026, 11, 24)
PACKS = BROKEN_PACKS
ROOT = Path(__file__).parents[1]
NO_DOCUMENTS = Documents(
    passport_original=False, passport_copy=False, purchase_receipt=False, sim_card_usable=False
)
STRATEGIES: list[Callable[..., st.SearchStrategy[object]]] = [
    amounts,
    counts,
    documents,
    intentions,
    providers,
    services,
    situations,
    unused_resources,
    user_states,
]


def draw_once(strategy: st.SearchStrategy[object]) -> None:
    """Run a one-example Hypothesis test over ``strategy``."""

    @settings(max_examples=1, database=None)
    @given(strategy)
    def test(_: object) -> None:
        pass

    test()


def test_assert_consistent_returns_the_report_for_a_good_pack() -> None:
    """A consistent pack passes and the report is handed back."""
    report = assert_consistent(load_rules(BROKEN_PACKS / "good"), as_of=AS_OF, samples=20)
    assert report.ok


def test_assert_consistent_raises_with_the_counterexample(tmp_path: Path) -> None:
    """An inconsistent pack raises AssertionError naming the check and the state."""
    with pytest.raises(AssertionError, match="FAIL overlaps") as caught:
        assert_consistent(load_rules(broken_pack("overlapping_routes", tmp_path)), as_of=AS_OF, samples=20)
    assert '"provider": "corner"' in str(caught.value)


def test_assert_matches_reference_passes_on_the_builtin_rules() -> None:
    """The differential property holds for the shipped rules."""
    assert_matches_reference(max_examples=50, as_of=AS_OF)


def test_assert_matches_reference_fails_when_durable_differs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A durable answer missing a rule makes the property fail with the rule's id."""
    real = _engine.evaluate
    monkeypatch.setattr(
        _engine, "evaluate", lambda rules, facts, **kw: real(rules, facts, **kw) - {"check-every-step"}
    )
    with pytest.raises(AssertionError, match="check-every-step"):
        assert_matches_reference(max_examples=20, as_of=AS_OF)


# --- the strategies' signatures -------------------------------------------------------------


def test_all_is_sorted_and_lists_the_public_names() -> None:
    """__all__ is sorted and names exactly the public functions defined in simcancel.testing."""
    module = simcancel.testing
    defined = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and inspect.isfunction(value) and value.__module__ == module.__name__
    }
    assert module.__all__ == sorted(module.__all__)
    assert set(module.__all__) == defined


def mentions_any(hint: object) -> bool:
    return hint is typing.Any or any(mentions_any(argument) for argument in typing.get_args(hint))


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda strategy: strategy.__name__)
def test_strategies_take_keyword_only_typed_strategies(strategy: Callable[..., object]) -> None:
    """Each strategy returns a SearchStrategy[T] and takes keyword-only `SearchStrategy[T] | None` fields."""
    # rules and max_value are values; providers()' positional _rules is the deprecated form.
    hints = typing.get_type_hints(strategy)
    assert typing.get_origin(hints.pop("return")) is st.SearchStrategy
    for name, parameter in inspect.signature(strategy).parameters.items():
        assert not mentions_any(hints[name]), name
        if parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
            assert (strategy, name) == (providers, "_rules")
            continue
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, name
        if name == "rules":
            assert hints[name] == RuleSet | None
        elif name != "max_value":
            assert parameter.default is None, name
            strategy_type, none = typing.get_args(hints[name])
            assert (typing.get_origin(strategy_type), none) == (st.SearchStrategy, type(None)), name


def test_user_states_names_its_parts_plainly() -> None:
    """user_states() takes services=, documents=, intentions=; the underscored names are deprecated."""
    parameters = inspect.signature(user_states).parameters
    assert {"services", "documents", "intentions"} <= set(parameters)
    assert [name for name in parameters if name.endswith("_")] == ["services_", "documents_", "intentions_"]


# --- drawing -----------------------------------------------------------------------------------


@given(user_states(rules=load_rules(PACKS / "good")))
def test_user_states_use_the_providers_of_the_given_rules(state: UserState) -> None:
    """States drawn for a pack name only that pack's providers."""
    assert state.provider in {"acme", "corner"}


@given(
    user_states(
        provider=st.just("jazz"),
        balance=st.just(Decimal(0)),
        services=st.just(()),
        documents=documents(passport_copy=st.just(True)),
        intentions=st.just(Intentions(discard_card=True)),
    )
)
def test_pinned_fields_stay_pinned(state: UserState) -> None:
    """A field given st.just(...) is never varied, part strategies included."""
    assert state.provider == "jazz"
    assert state.balance == 0
    assert not state.services
    assert state.documents.passport_copy
    assert state.intentions == Intentions(discard_card=True)


@given(providers())
def test_providers_defaults_to_the_builtin_rules(provider: str) -> None:
    """providers() draws from the built-in rule set's providers."""
    assert provider in default_rules().providers


@given(st.data(), st.integers(min_value=0, max_value=300))
def test_amounts_and_counts_stay_within_max_value(data: st.DataObject, most: int) -> None:
    """amounts() and counts() never exceed max_value, even below their small-value range (0 included)."""
    assert 0 <= data.draw(amounts(max_value=Decimal(most) / 100)) <= Decimal(most) / 100
    assert 0 <= data.draw(counts(max_value=most)) <= most


@given(st.from_type(UserState))
def test_from_type_draws_valid_states(state: UserState) -> None:
    """st.from_type(UserState) draws valid states of the built-in providers (the registration)."""
    assert state.provider in default_rules().providers
    assert UserState.from_dict(state.to_dict()) == state


@pytest.mark.parametrize("kind", [Service, UnusedResources, Documents, Intentions, Situation])
@given(data=st.data())
def test_from_type_draws_each_part(kind: type[object], data: st.DataObject) -> None:
    """Each part of a state has a registered strategy: st.from_type(part) draws one."""
    assert isinstance(data.draw(st.from_type(kind)), kind)


def provider_of(state: UserState) -> str:
    return state.provider


@given(st.builds(provider_of))
def test_builds_infers_a_user_state_argument(provider: str) -> None:
    """st.builds() fills a parameter annotated UserState from the registered strategy."""
    assert provider in default_rules().providers


def test_rules_are_read_when_drawing_not_when_building(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building and validating a strategy reads no rule set; drawing does, unless the provider is given."""
    loads: list[RuleSet] = []

    def counting() -> RuleSet:
        loads.append(default_rules())
        return loads[-1]

    monkeypatch.setattr(simcancel.testing, "default_rules", counting)
    for strategy in (user_states(), providers(), st.from_type(UserState)):
        strategy.validate()
    draw_once(user_states(provider=st.just("jazz")))
    assert loads == []
    draw_once(user_states())
    assert loads


# --- bad arguments ---------------------------------------------------------------------------

BAD_ARGUMENTS: list[tuple[Callable[[], st.SearchStrategy[object]], str]] = [
    (
        lambda: user_states(balance=-1),  # type: ignore[arg-type]
        r"user_states\(balance=-1\): expected a SearchStrategy\[Decimal\], got -1 of type int",
    ),
    (
        lambda: user_states(provider=7),  # type: ignore[arg-type]
        r"user_states\(provider=7\): expected a SearchStrategy\[str\], got 7 of type int",
    ),
    (
        lambda: user_states(services=[Service], provider=st.just("jazz")),  # type: ignore[arg-type]
        r"user_states\(services=\[<class .*expected a SearchStrategy\[Sequence\[Service\]\]",
    ),
    (
        lambda: user_states(rules="my_pack", provider=st.just("jazz")),  # type: ignore[arg-type]
        r"user_states\(rules='my_pack'\): expected a RuleSet .* got 'my_pack' of type str",
    ),
    (
        lambda: user_states(services=st.just(()), services_=st.just(())),
        r"user_states\(\) got both services= and its deprecated spelling services_=",
    ),
    (lambda: providers(rules=PACKS), r"providers\(rules=.*expected a RuleSet .* of type PosixPath"),  # type: ignore[arg-type]
    (
        lambda: amounts(max_value=Decimal(-1)),
        r"amounts\(max_value=Decimal\('-1'\)\): expected a non-negative amount in PKR, got Decimal",
    ),
    (
        lambda: amounts(max_value=Decimal("0.001")),
        r"amounts\(max_value=Decimal\('0.001'\)\): expected at most two decimals",
    ),
    (lambda: amounts(max_value="5"), r"amounts\(max_value='5'\): expected a Decimal or an int, got str"),  # type: ignore[arg-type]
    (lambda: counts(max_value=-1), r"counts\(max_value=-1\): expected a whole number from 0 to"),
    (
        lambda: services(kind="sms"),  # type: ignore[arg-type]
        r"services\(kind='sms'\): expected a SearchStrategy\[ServiceKind\], got 'sms' of type str",
    ),
    (
        lambda: unused_resources(sms=-5),  # type: ignore[arg-type]
        r"unused_resources\(sms=-5\): expected a SearchStrategy\[int\]",
    ),
    (
        lambda: documents(passport_copy="yes"),  # type: ignore[arg-type]
        r"documents\(passport_copy='yes'\): expected a SearchStrategy\[bool\], .*\(expected true or false",
    ),
    (
        lambda: intentions(discard_card=1),  # type: ignore[arg-type]
        r"intentions\(discard_card=1\): expected a SearchStrategy\[bool\]",
    ),
    (
        lambda: situations(reads_english="no"),  # type: ignore[arg-type]
        r"situations\(reads_english='no'\): expected a SearchStrategy\[bool\]",
    ),
]


@pytest.mark.parametrize(
    ("build", "message"),
    BAD_ARGUMENTS,
    ids=[case[1].replace("\\", "").split(":")[0][:50] for case in BAD_ARGUMENTS],
)
def test_bad_arguments_raise_invalid_argument_when_the_test_runs(
    build: Callable[[], st.SearchStrategy[object]], message: str
) -> None:
    """A bad argument is silent when the strategy is built and raises InvalidArgument naming it when run."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        strategy = build()
    with pytest.raises(InvalidArgument, match=message):
        draw_once(strategy)


# --- the deprecated forms, kept for one release ------------------------------------------------


def test_plain_values_still_pin_with_a_deprecation_warning() -> None:
    """A valid plain value instead of a strategy pins the field and warns the caller what to write."""
    with pytest.warns(DeprecationWarning, match="instead of a strategy is deprecated") as record:
        strategy = user_states(
            provider="jazz",  # type: ignore[arg-type]
            balance=0,  # type: ignore[arg-type]
            services=[],  # type: ignore[arg-type]
            unused=unused_resources(sms=3),  # type: ignore[arg-type]
        )
    assert [str(warning.message).split(":")[0] for warning in record] == [
        "unused_resources(sms=3)",
        "user_states(provider='jazz')",
        "user_states(balance=0)",
        "user_states(services=[])",
    ]
    assert "write provider=st.just('jazz')" in str(record[1].message)
    assert {warning.filename for warning in record} == {__file__}
    with pytest.warns(DeprecationWarning, match=r"write kind=st.just\(<ServiceKind.SMS: 'sms'>\)"):
        part = services(kind=ServiceKind.SMS)  # type: ignore[arg-type]

    @given(strategy, part)
    def pinned(state: UserState, service: Service) -> None:
        assert (state.provider, state.balance, state.services, state.unused.sms) == (
            "jazz",
            Decimal(0),
            (),
            3,
        )
        assert service.kind is ServiceKind.SMS

    pinned()


def test_underscored_names_still_work_with_a_deprecation_warning() -> None:
    """services_=, documents_= and intentions_= still pin their field, each warning to drop the '_'."""
    with pytest.warns(DeprecationWarning, match=r"_=\.\.\.\) is deprecated") as record:
        strategy = user_states(
            services_=st.just(()),
            documents_=st.just(NO_DOCUMENTS),
            intentions_=intentions(discard_card=st.just(True)),
        )
    assert [str(warning.message).split("; ")[1] for warning in record] == [
        "write services=...",
        "write documents=...",
        "write intentions=...",
    ]
    assert {warning.filename for warning in record} == {__file__}

    @given(strategy)
    def pinned(state: UserState) -> None:
        assert state.services == ()
        assert state.documents == NO_DOCUMENTS
        assert state.intentions.discard_card

    pinned()


def test_positional_rules_for_providers_is_deprecated() -> None:
    """providers(rules) still draws that rule set's providers, with a warning to write rules=."""
    with pytest.warns(DeprecationWarning, match=r"write providers\(rules=rules\)"):
        strategy = providers(load_rules(PACKS / "good"))

    @given(strategy)
    def of_the_pack(provider: str) -> None:
        assert provider in {"acme", "corner"}

    of_the_pack()


# --- the hypothesis entry point ---------------------------------------------------------------


def entry_point() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    hooks: dict[str, str] = project["entry-points"]["hypothesis"]
    assert list(hooks) == ["simcancel"]
    return hooks["simcancel"]


PROBE = """
import importlib.metadata as metadata
import sys

real = metadata.entry_points


def entry_points(**selection):
    if selection.get("group") == "hypothesis":
        hook = metadata.EntryPoint(name="simcancel", value={value!r}, group="hypothesis")
        return metadata.EntryPoints([hook])
    return real(**selection)


metadata.entry_points = entry_points  # what an installed simcancel declares
{first}
if {first!r} == "import hypothesis":
    assert "simcancel" not in sys.modules, "import hypothesis imported simcancel"
from hypothesis import given, settings, strategies as st
from simcancel import UserState
from simcancel._assess import _default_rules, default_rules

assert "simcancel.testing" not in sys.modules or {first!r} == "import simcancel.testing"
states = st.from_type(UserState)
assert _default_rules.cache_info().currsize == 0, "rules read before drawing"


@settings(max_examples=5, database=None)
@given(states)
def test(state):
    assert state.provider in default_rules().providers


test()
print("drawn")
"""


@pytest.mark.parametrize(
    "first",
    ["import hypothesis", "import simcancel.testing", "import simcancel.analysis", "import simcancel"],
)
def test_the_entry_point_registers_whatever_is_imported_first(first: str) -> None:
    """The pyproject hook, run as on `import hypothesis`, registers UserState without reading rules,
    whichever comes first; `import hypothesis` alone does not import simcancel."""
    env = {key: value for key, value in os.environ.items() if key != "HYPOTHESIS_NO_PLUGINS"}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(simcancel.__file__).parents[1]), env.get("PYTHONPATH", "")])
    probe = textwrap.dedent(PROBE).format(value=entry_point(), first=first)
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", probe], capture_output=True, env=env, check=False, timeout=120
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, b"drawn\n", b"")


@pytest.mark.parametrize("plugins", [True, False])
def test_import_simcancel_after_hypothesis_registers_unless_plugins_are_off(plugins: bool) -> None:
    """hypothesis first, then simcancel: registered, unless HYPOTHESIS_NO_PLUGINS turns plugins off."""
    env = {key: value for key, value in os.environ.items() if key != "HYPOTHESIS_NO_PLUGINS"}
    if not plugins:
        env["HYPOTHESIS_NO_PLUGINS"] = "1"
    probe = (
        "import hypothesis\n"
        "import simcancel\n"
        "from hypothesis.strategies._internal.types import _global_type_lookup\n"
        "print(simcancel.UserState in _global_type_lookup)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120, check=True
    )
    assert done.stdout.strip() == str(plugins)
