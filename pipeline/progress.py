"""Progress of long runs (a backfill of many days): position, share done, elapsed time and an estimate
of the time left, as one line per step. Pure: the caller passes the clock."""

from __future__ import annotations

import datetime as dt


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every day from ``first`` to ``last``, both included (a backfill's days)."""
    if last < first:
        raise ValueError(f"--to {last} is before --from {first}")
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def clock(seconds: float) -> str:
    """Seconds as H:MM:SS."""
    seconds = max(0, round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def progress_prefix(done: int, total: int, elapsed: float) -> str:
    """``[done/total pct%]`` and, once something is done and more is left, the elapsed time and the
    time left at the pace so far: ``[37/365 10% 0:00:41 elapsed, ~0:06:03 left]``."""
    width = len(str(total))
    pct = 100 * done // total if total else 100
    head = f"[{done:>{width}}/{total} {pct:3d}%"
    if done and total > 1:
        head += f" {clock(elapsed)} elapsed"
        if done < total:
            head += f", ~{clock(elapsed / done * (total - done))} left"
    return head + "]"
