"""The default ``as_of`` is today in Pakistan (Asia/Karachi), not the server's date."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from simcancel import UserState, assess, assess_many, cli
from simcancel._clock import today_in_pakistan
from simcancel.analysis._options import VerifyOptions

# 19:30 UTC on 24 November is 00:30 on 25 November in Karachi (UTC+5).
_AFTER_MIDNIGHT_IN_KARACHI = dt.datetime(2026, 11, 24, 19, 30, tzinfo=dt.UTC)
# 18:30 UTC is 23:30 in Karachi: the same day in both.
_BEFORE_MIDNIGHT_IN_KARACHI = dt.datetime(2026, 11, 24, 18, 30, tzinfo=dt.UTC)
_STATE = Path("examples/simoptions-ready.json")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[dt.datetime]:
    now = [_AFTER_MIDNIGHT_IN_KARACHI]
    monkeypatch.setattr("simcancel._clock._now", lambda: now[0])
    return now


def test_today_is_the_date_in_karachi_around_midnight(clock: list[dt.datetime]) -> None:
    """Just after midnight in Karachi it is already tomorrow there, still today in UTC."""
    assert today_in_pakistan() == dt.date(2026, 11, 25)
    clock[0] = _BEFORE_MIDNIGHT_IN_KARACHI
    assert today_in_pakistan() == dt.date(2026, 11, 24)


def test_assess_and_assess_many_default_to_karachi(clock: list[dt.datetime]) -> None:
    """assess() and assess_many() without as_of use the date in Karachi."""
    state = UserState.from_json(_STATE.read_bytes())
    assert assess(state, locale="en").as_of == dt.date(2026, 11, 25)
    assert [result.as_of for result in assess_many([state], locale="en")] == [dt.date(2026, 11, 25)]
    clock[0] = _BEFORE_MIDNIGHT_IN_KARACHI
    assert assess(state, locale="en").as_of == dt.date(2026, 11, 24)


def test_verify_default_is_karachi(clock: list[dt.datetime]) -> None:
    """verify's default day is the date in Karachi."""
    assert VerifyOptions().as_of == dt.date(2026, 11, 25)
    assert VerifyOptions.of().as_of == dt.date(2026, 11, 25)


def test_cli_assess_defaults_to_karachi(clock: list[dt.datetime]) -> None:
    """`simcancel assess` without --as-of assesses as of the date in Karachi."""
    out = io.StringIO()
    cli.main(["assess", str(_STATE), "--json", "--locale", "en"], out=out)
    assert json.loads(out.getvalue())["as_of"] == "2026-11-25"
