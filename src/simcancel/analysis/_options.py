"""What a verification run is told: the day, the exhaustive budget, the sample count."""

from __future__ import annotations

import datetime as dt

import attrs

from simcancel._clock import today_in_pakistan
from simcancel._errors import UsageError

__all__ = ["DEFAULT_MAX_CLASSES", "DEFAULT_SAMPLES", "VerifyOptions"]

DEFAULT_MAX_CLASSES = 2_000_000
"""Above this many combinations a check samples with Hypothesis instead of walking them."""

DEFAULT_SAMPLES = 200
"""States a sampled search tries (Hypothesis examples, or states drawn for purity)."""


def _positive(_instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(f"verify option {attribute.name}: expected a whole number >= 1, got {value!r}")


@attrs.frozen(kw_only=True)
class VerifyOptions:
    """The options every state-based check reads."""

    as_of: dt.date = attrs.field(factory=today_in_pakistan)
    """The day states are evaluated on (``activated_on`` is relative to it)."""
    max_classes: int = attrs.field(default=DEFAULT_MAX_CLASSES, validator=_positive)
    """A walk over more combinations than this samples instead, and says so."""
    samples: int = attrs.field(default=DEFAULT_SAMPLES, validator=_positive)
    """States per sampled search."""

    @classmethod
    def of(
        cls,
        *,
        as_of: dt.date | None = None,
        max_classes: int = DEFAULT_MAX_CLASSES,
        samples: int = DEFAULT_SAMPLES,
    ) -> VerifyOptions:
        """The options of the public ``check_*(rules, *, as_of=None, ...)`` signatures (None: today)."""
        return cls(
            as_of=today_in_pakistan() if as_of is None else as_of, max_classes=max_classes, samples=samples
        )
