"""simcancel.analysis._options: what a verification run is told, checked when it is built."""

from __future__ import annotations

import pytest

from simcancel import UsageError, default_rules
from simcancel._clock import today_in_pakistan
from simcancel.analysis import DEFAULT_MAX_CLASSES, check_totality
from simcancel.analysis._options import DEFAULT_SAMPLES, VerifyOptions


def test_of_fills_in_today_and_the_defaults() -> None:
    """VerifyOptions.of() with no day evaluates on today, with the documented defaults."""
    options = VerifyOptions.of()
    assert options.as_of == today_in_pakistan()
    assert (options.max_classes, options.samples) == (DEFAULT_MAX_CLASSES, DEFAULT_SAMPLES)


@pytest.mark.parametrize(("field", "value"), [("max_classes", 0), ("samples", -1), ("samples", True)])
def test_a_bad_budget_is_a_usage_error_naming_the_option(field: str, value: int) -> None:
    """max_classes and samples must be whole numbers >= 1; the error names the option and the value."""
    with pytest.raises(UsageError, match=rf"{field}: expected a whole number >= 1, got {value!r}"):
        VerifyOptions(**{field: value})  # type: ignore[arg-type]


def test_public_checks_reject_a_bad_budget_too() -> None:
    """check_*(rules, max_classes=0) raises the same UsageError instead of walking nothing."""
    with pytest.raises(UsageError, match="max_classes"):
        check_totality(default_rules(), max_classes=0)
