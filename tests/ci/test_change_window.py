"""The prod change window: Tuesday and Thursday, [10:00, 14:00) UTC, judged on an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from ci import change_window

# 2026-11-23 is a Monday; the week runs Monday 23 .. Sunday 29.
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(23, 30)


def at(day: int, hour: int, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, micro, tzinfo=UTC)


@pytest.mark.parametrize("day", [TUESDAY, THURSDAY])
@pytest.mark.parametrize(("moment", "inside"), [
    ((10, 0, 0), True),            # opening edge is inside
    ((10, 0, 1), True),
    ((12, 30, 0), True),
    ((13, 59, 59), True),
    ((9, 59, 59), False),          # one second early
    ((14, 0, 0), False),           # closing edge is outside (appendix: HOUR -ge 14 refuses)
    ((14, 0, 1), False),
    ((0, 0, 0), False),
    ((23, 59, 59), False),
])
def test_window_days(day: int, moment: tuple[int, int, int], inside: bool) -> None:
    assert change_window.in_change_window(at(day, *moment)) is inside


def test_last_microsecond_before_close_is_inside() -> None:
    assert change_window.in_change_window(at(TUESDAY, 13, 59, 59, 999_999))


@pytest.mark.parametrize("day", [MONDAY, WEDNESDAY, FRIDAY, SATURDAY, SUNDAY])
@pytest.mark.parametrize("hour", [0, 10, 12, 13, 23])
def test_other_days_are_always_outside(day: int, hour: int) -> None:
    assert not change_window.in_change_window(at(day, hour, 30))


def test_every_minute_of_a_week_agrees_with_the_appendix_rule() -> None:
    """The appendix's shell rule, minute by minute: day in {Tue, Thu} and 10 <= hour < 14."""
    start = at(MONDAY, 0)
    for minute in range(7 * 24 * 60):
        moment = start + timedelta(minutes=minute)
        expected = moment.isoweekday() in (2, 4) and 10 <= moment.hour < 14
        assert change_window.in_change_window(moment) is expected, moment


@pytest.mark.parametrize(("local", "inside"), [
    # Other offsets are converted to UTC first: 12:00 at +02:00 is 10:00 UTC (inside) ...
    (datetime(2026, 11, TUESDAY, 12, 0, tzinfo=timezone(timedelta(hours=2))), True),
    # ... 11:59 at +02:00 is 09:59 UTC (outside) ...
    (datetime(2026, 11, TUESDAY, 11, 59, tzinfo=timezone(timedelta(hours=2))), False),
    # ... and 23:30 Monday at -11:00 is 10:30 Tuesday UTC (inside).
    (datetime(2026, 11, MONDAY, 23, 30, tzinfo=timezone(timedelta(hours=-11))), True),
])
def test_offsets_are_judged_in_utc(local: datetime, inside: bool) -> None:
    assert change_window.in_change_window(local) is inside


def test_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        change_window.in_change_window(datetime(2026, 11, TUESDAY, 11, 0))


def test_main_uses_the_injected_clock(capsys: pytest.CaptureFixture[str]) -> None:
    assert change_window.main([], now=lambda: at(THURSDAY, 11)) == 0
    assert "inside the change window" in capsys.readouterr().out
    assert change_window.main([], now=lambda: at(THURSDAY, 14)) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: outside the change window") and "Thursday 2026-11-26 14:00:00 UTC" in err


@pytest.mark.parametrize(("arg", "code"), [
    ("2026-11-24T10:00:00Z", 0),
    ("2026-11-24T14:00:00Z", 1),
    ("2026-11-25T11:00:00+00:00", 1),
    ("2026-11-24T11:00:00", 2),      # no offset: refused, not guessed
    ("not-a-date", 2),
])
def test_main_at_argument(arg: str, code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert change_window.main(["--at", arg], now=lambda: pytest.fail("clock read despite --at")) == code
    if code == 2:
        assert capsys.readouterr().err.startswith("error: ")
