"""The public surface: ``simcancel.__all__``, value-object guarantees, and typing marker."""

from __future__ import annotations

import enum
import importlib
import re
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import attrs
import pytest

import simcancel
from tests.packs import clean_state

# The public names as of this release.  Adding a name is a decision: update this list.
EXPECTED_ALL = [
    "Assessment",
    "Certainty",
    "ChangeSet",
    "Choice",
    "Claim",
    "Document",
    "Documents",
    "EngineError",
    "Intentions",
    "InvalidStateError",
    "Issue",
    "IssueKind",
    "LineStatus",
    "NoRouteError",
    "PartialAssessment",
    "PartialIssue",
    "PartialState",
    "Plan",
    "PossibleRoute",
    "Problem",
    "Provider",
    "Question",
    "RegisteredOwner",
    "Reply",
    "RouteKind",
    "RouteOption",
    "Rule",
    "RuleFileError",
    "RuleSet",
    "Service",
    "ServiceKind",
    "SimForm",
    "SimcancelError",
    "Situation",
    "Stage",
    "StateChange",
    "Step",
    "UnusedResources",
    "UsageError",
    "UserState",
    "WhatIf",
    "WhatIfGoal",
    "__version__",
    "assess",
    "assess_many",
    "assess_partial",
    "builtin_packs",
    "builtin_rules_path",
    "default_rules",
    "json_schema",
    "live_sessions",
    "load_rules",
    "next_questions",
    "render_text",
    "what_if",
]

VALUE_OBJECTS = [
    simcancel.Assessment,
    simcancel.ChangeSet,
    simcancel.Choice,
    simcancel.Claim,
    simcancel.Document,
    simcancel.Documents,
    simcancel.Intentions,
    simcancel.Issue,
    simcancel.PartialAssessment,
    simcancel.PartialIssue,
    simcancel.PartialState,
    simcancel.PossibleRoute,
    simcancel.Problem,
    simcancel.Provider,
    simcancel.Question,
    simcancel.Reply,
    simcancel.RouteOption,
    simcancel.Rule,
    simcancel.Service,
    simcancel.Situation,
    simcancel.StateChange,
    simcancel.Step,
    simcancel.UnusedResources,
    simcancel.UserState,
    simcancel.WhatIf,
    simcancel.WhatIfGoal,
]
ENUMS = [
    simcancel.Certainty,
    simcancel.IssueKind,
    simcancel.LineStatus,
    simcancel.Plan,
    simcancel.RegisteredOwner,
    simcancel.RouteKind,
    simcancel.ServiceKind,
    simcancel.SimForm,
    simcancel.Stage,
]
ERRORS = [
    simcancel.EngineError,
    simcancel.InvalidStateError,
    simcancel.NoRouteError,
    simcancel.RuleFileError,
    simcancel.UsageError,
]


def test_all_is_sorted_and_as_expected() -> None:
    """``__all__`` is sorted and lists exactly the expected public names."""
    assert simcancel.__all__ == sorted(simcancel.__all__)
    assert simcancel.__all__ == EXPECTED_ALL


PUBLIC_MODULES = {
    "simcancel.analysis": [
        "CHECKS",
        "CheckResult",
        "Counterexample",
        "DEFAULT_MAX_CLASSES",
        "Report",
        "StateSpace",
        "check_clearable",
        "check_dead_rules",
        "check_differential",
        "check_i18n",
        "check_monotonicity",
        "check_overlaps",
        "check_purity",
        "check_route_soundness",
        "check_stages",
        "check_totality",
        "check_traceability",
        "state_space",
        "verify",
        "verify_paths",
    ],
    "simcancel.testing": [
        "amounts",
        "assert_consistent",
        "assert_matches_reference",
        "counts",
        "documents",
        "intentions",
        "providers",
        "services",
        "situations",
        "unused_resources",
        "user_states",
    ],
}


@pytest.mark.parametrize(("module", "expected"), sorted(PUBLIC_MODULES.items()))
def test_public_modules_export_a_sorted_intended_surface(module: str, expected: list[str]) -> None:
    """simcancel.analysis and simcancel.testing export exactly the intended, sorted names."""
    imported = importlib.import_module(module)
    assert imported.__all__ == sorted(imported.__all__) == expected
    assert all(getattr(imported, name) is not None for name in expected)


@pytest.mark.parametrize("name", EXPECTED_ALL)
def test_every_public_name_resolves(name: str) -> None:
    """Each name in ``__all__`` is an attribute of the package."""
    assert getattr(simcancel, name) is not None


def test_star_import_gives_exactly_all() -> None:
    """``from simcancel import *`` binds exactly the names of ``__all__``."""
    namespace: dict[str, object] = {}
    exec("from simcancel import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(EXPECTED_ALL)


def test_public_classes_are_all_classified() -> None:
    """Every public class is a value object, an enum, an error or RuleSet: none is left unchecked."""
    classes = {
        getattr(simcancel, name) for name in EXPECTED_ALL if isinstance(getattr(simcancel, name), type)
    }
    known = {*VALUE_OBJECTS, *ENUMS, *ERRORS, simcancel.SimcancelError, simcancel.RuleSet}
    assert classes == known


def _instances() -> dict[type, object]:
    """One real instance of every value object, taken from a state and its assessment."""
    state = simcancel.UserState.from_dict(
        clean_state(balance="5", services=[{"kind": "sms", "active": True, "recurring": True}])
    )
    result = simcancel.assess(state, locale="en", what_if=True)
    assert result.what_if is not None
    assert result.what_if.unblock is not None
    rules = simcancel.default_rules()
    partial = simcancel.PartialState.from_dict({"provider": "jazz", "arrears": "420"})
    partial_result = simcancel.assess_partial(partial, locale="en")
    question = next(q for q in simcancel.next_questions(partial, locale="en") if q.choices)
    found: list[object] = [
        state,
        state.services[0],
        state.unused,
        state.documents,
        state.situation,
        state.intentions,
        result,
        result.blocking[0],
        result.route,
        result.documents[0],
        result.steps[0],
        result.what_if,
        result.what_if.unblock,
        result.what_if.unblock.change_sets[0],
        result.what_if.unblock.change_sets[0].changes[0],
        rules.rules[0],
        rules.claims["A4"],
        rules.providers["jazz"],
        simcancel.Problem(path="$", message="m"),
        partial,
        partial_result,
        partial_result.blocking[0],
        partial_result.routes[0],
        question,
        question.choices[0],
        question.replies[0],
    ]
    return {type(obj): obj for obj in found}


INSTANCES = _instances()


@pytest.mark.parametrize("cls", VALUE_OBJECTS, ids=lambda cls: cls.__name__)
def test_value_objects_are_frozen_slotted_attrs(cls: type) -> None:
    """Value objects are slotted attrs classes: frozen, keyword-only, compared by value."""
    assert attrs.has(cls)
    assert "__slots__" in cls.__dict__
    assert all(field.kw_only for field in attrs.fields(cls) if field.init)
    obj: Any = INSTANCES[cls]
    assert not hasattr(obj, "__dict__")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(obj, attrs.fields(cls)[0].name, None)
    assert attrs.evolve(obj) == obj
    with pytest.raises(TypeError):
        cls(*(getattr(obj, field.name) for field in attrs.fields(cls) if field.init))


def test_rule_set_is_frozen_and_compared_by_identity() -> None:
    """RuleSet is a frozen, slotted attrs class compared by identity (the engine caches by it)."""
    rules = simcancel.default_rules()
    assert attrs.has(simcancel.RuleSet)
    assert "__slots__" in simcancel.RuleSet.__dict__
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        rules.name = "changed"  # type: ignore[misc]
    twin = attrs.evolve(rules)
    assert twin != rules
    assert rules == rules  # noqa: PLR0124 - identity is the equality under test


@pytest.mark.parametrize("cls", ENUMS, ids=lambda cls: cls.__name__)
def test_enums_have_lowercase_string_values(cls: type[enum.Enum]) -> None:
    """Enum values are the lowercase strings used in JSON and rule files."""
    for member in cls:
        assert isinstance(member.value, str)
        assert member.value == member.name.lower()


@pytest.mark.parametrize("cls", ERRORS, ids=lambda cls: cls.__name__)
def test_errors_share_one_root_and_a_builtin(cls: type[Exception]) -> None:
    """Every error is a SimcancelError and also the builtin exception it behaves like."""
    assert issubclass(cls, simcancel.SimcancelError)
    builtins = (ValueError, LookupError, RuntimeError)
    assert issubclass(cls, builtins)


def test_py_typed_ships_with_the_package() -> None:
    """The PEP 561 marker ``py.typed`` is inside the package, so users' type checkers read the hints."""
    assert (resources.files("simcancel") / "py.typed").is_file()


ROOT = Path(__file__).resolve().parent.parent


def test_version_is_the_installed_metadata() -> None:
    """``__version__`` is read from the package metadata (``pyproject.toml``), a dotted version string."""
    assert simcancel.__version__ == metadata.version("simcancel")
    assert all(part.isdigit() for part in simcancel.__version__.split(".")[:2])


def test_version_falls_back_when_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A source tree without package metadata reports ``0+unknown`` instead of failing to import."""

    def missing(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", missing)
    assert simcancel._installed_version() == "0+unknown"


def test_pyproject_is_the_one_written_version() -> None:
    """pyproject.toml and the newest CHANGELOG release name one version; the docs' pre-commit
    ``rev`` pins a full commit (no release tag exists to pin)."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    written = re.search(r'^version = "([^"]+)"$', pyproject, re.MULTILINE)
    assert written is not None
    assert written.group(1) == simcancel.__version__
    tutorial = (ROOT / "docs" / "tutorial-provider.md").read_text(encoding="utf-8")
    assert len(re.findall(r"(?m)^\s*rev: [0-9a-f]{40}\b", tutorial)) == 1
    assert re.findall(r"\brev: v\d", tutorial) == []
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    released = re.findall(r"^## \[(\d[^\]]*)\]", changelog, re.MULTILINE)
    assert released[0] == simcancel.__version__
