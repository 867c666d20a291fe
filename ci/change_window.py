"""The production change window (Design Appendix, section 2.2): Tuesday and Thursday, 10:00 to 14:00 UTC.

The window is half-open, [10:00, 14:00): 10:00:00 is inside, 14:00:00 is outside, as in the appendix's own
check (`HOUR -ge 14` refuses). The deploy workflow runs this after the prod environment's reviewers have
approved, right before `pulumi up`, so it judges the moment the change starts. Exit 0 inside, 1 outside.

    python -m ci.change_window [--at 2026-11-24T10:30:00Z]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime, time

# Monday is 0 (datetime.weekday()).
WINDOW_DAYS: dict[int, str] = {1: "Tuesday", 3: "Thursday"}
WINDOW_OPENS = time(10, 0)
WINDOW_CLOSES = time(14, 0)
WINDOW_TEXT = "Tuesday and Thursday, 10:00 to 14:00 UTC (14:00 itself is outside)"


def in_change_window(moment: datetime) -> bool:
    """Whether `moment` (timezone-aware; converted to UTC) falls inside the window."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"moment must be timezone-aware, got naive {moment.isoformat()}")
    utc = moment.astimezone(UTC)
    return utc.weekday() in WINDOW_DAYS and WINDOW_OPENS <= utc.time() < WINDOW_CLOSES


def _parse_moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"--at needs a UTC offset (e.g. 2026-11-24T10:30:00Z), got {text!r}")
    return moment


def main(argv: list[str] | None = None, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> int:
    parser = argparse.ArgumentParser(prog="change_window.py", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--at", help="judge this ISO 8601 moment instead of now (with an offset, e.g. ...Z)")
    args = parser.parse_args(argv)
    try:
        moment = _parse_moment(args.at) if args.at else now()
        inside = in_change_window(moment)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stamp = moment.astimezone(UTC).strftime("%A %Y-%m-%d %H:%M:%S UTC")
    if inside:
        print(f"inside the change window ({WINDOW_TEXT}): {stamp}")
        return 0
    print(f"error: outside the change window ({WINDOW_TEXT}): {stamp}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
