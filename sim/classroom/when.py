"""When a deadline falls: the one reading of `--at 15:00` / `--in 20m`, for the command line
and the dashboard alike."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sim.model.errors import InputError

MAX_DEADLINE = timedelta(days=14)


def deadline_time(at: str | None, within: str | None) -> datetime:
    """--at HH:MM (today, local) or an ISO time; --in 1h30m / 20m / 90s. Always aware, UTC."""
    now_ = datetime.now().astimezone()
    if within is not None:
        parts = re.fullmatch(
            r"\s*(?:(\d{1,4})h)?\s*(?:(\d{1,5})m)?\s*(?:(\d{1,6})s)?\s*", within, re.ASCII
        )
        if not within.strip() or parts is None or not any(parts.groups()):
            raise InputError("--in", within, "expected a duration such as 20m, 1h30m or 90s")
        h, m, s = (int(x or 0) for x in parts.groups())
        span = timedelta(hours=h, minutes=m, seconds=s)
        if not timedelta(0) < span <= MAX_DEADLINE:
            raise InputError("--in", within, "expected more than 0 and at most 14 days")
        return (now_ + span).astimezone(UTC)
    assert at is not None
    clock = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", at, re.ASCII)
    try:
        if clock:
            hour, minute = int(clock[1]), int(clock[2])
            when = now_.replace(hour=hour, minute=minute, second=0, microsecond=0)
        elif not at.isascii():  # fromisoformat reads other scripts' digits too
            raise ValueError(at)
        else:
            when = datetime.fromisoformat(at.strip())
            if when.tzinfo is None:
                when = when.astimezone()  # this machine's time zone
    except ValueError:
        raise InputError(
            "--at", at, "expected HH:MM or an ISO time such as 2026-12-03T15:00"
        ) from None
    if when - now_ > MAX_DEADLINE:
        raise InputError("--at", at, "is more than 14 days away")
    return when.astimezone(UTC)
