"""simcancel._errors: one root, builtin bases, problem rendering and "did you mean"."""

from __future__ import annotations

from typing import Any, cast

import attrs
import pytest

from simcancel import (
    EngineError,
    InvalidStateError,
    NoRouteError,
    Problem,
    RuleFileError,
    SimcancelError,
    UsageError,
)
from simcancel._errors import did_you_mean, shorten


@pytest.mark.parametrize(
    ("error", "builtin"),
    [
        (InvalidStateError, ValueError),
        (RuleFileError, ValueError),
        (UsageError, ValueError),
        (EngineError, RuntimeError),
        (NoRouteError, LookupError),
    ],
)
def test_every_error_is_a_simcancel_error_and_its_builtin(error: type, builtin: type) -> None:
    """Each error class derives from SimcancelError and from the builtin it behaves like."""
    assert issubclass(error, SimcancelError)
    assert issubclass(error, builtin)


@pytest.mark.parametrize(
    ("name", "choices", "expected"),
    [
        ("balanse", ["balance", "arrears"], " (did you mean 'balance'?)"),
        ("EN", ["zh-CN", "en"], " (did you mean 'en'?)"),
        ("zh_cn", ["zh-CN", "en"], " (did you mean 'zh-CN'?)"),
        ("xyz", ["balance", "arrears"], ""),
    ],
)
def test_did_you_mean_ignores_case_and_keeps_the_spelling(
    name: str, choices: list[str], expected: str
) -> None:
    """The suggestion is found case-insensitively and given as the choice is spelt."""
    assert did_you_mean(name, choices) == expected


def test_problems_render_with_file_line_and_path() -> None:
    """A problem reads `file:line: $.path: message`; every problem of an error is listed."""
    error = RuleFileError(
        [
            Problem(path="$.rules[0].when.balanse", message="unknown fact", file="rules/a.yaml", line=7),
            Problem(path="$.rules[1]", message="missing required key 'id'", file="rules/a.yaml"),
        ]
    )
    assert str(error).splitlines() == [
        "invalid rules (2 problems):",
        "  rules/a.yaml:7: $.rules[0].when.balanse: unknown fact",
        "  rules/a.yaml: $.rules[1]: missing required key 'id'",
    ]
    assert len(error.problems) == 2


def test_shorten_cuts_huge_values() -> None:
    """A 10 MB value is shown in at most 60 characters."""
    assert len(shorten("x" * 10_000_000)) <= 60


def test_a_problem_is_about_load_unless_told_and_does_not_show_its_topic() -> None:
    """topic defaults to "load"; it sorts problems into checks and never changes their text."""
    assert Problem(path="$", message="m").topic == "load"
    plain = Problem(path="$.rules[0].message", message="missing text for locale en", file="a.yaml", line=3)
    assert str(attrs.evolve(plain, topic="i18n")) == str(plain)
    assert str(plain) == "a.yaml:3: $.rules[0].message: missing text for locale en"


def test_a_problem_refuses_an_unknown_topic() -> None:
    """Only the checks a loader problem can fail are topics: a typo is refused when made."""
    with pytest.raises(ValueError, match="topic"):
        Problem(path="$", message="m", topic=cast("Any", "i18N"))
