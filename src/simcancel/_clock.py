"""What day it is for the person asking: today in Pakistan, not on the server."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

__all__ = ["PAKISTAN", "today_in_pakistan"]

PAKISTAN = ZoneInfo("Asia/Karachi")
"""Pakistan Standard Time (UTC+5, no daylight saving)."""


def _now() -> dt.datetime:
    """The current instant, timezone-aware (tests replace this clock)."""
    return dt.datetime.now(dt.UTC)


def today_in_pakistan() -> dt.date:
    """The date in Pakistan now: the default ``as_of`` of every assessment and check."""
    return _now().astimezone(PAKISTAN).date()
