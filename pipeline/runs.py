"""What an orchestrated run stands for: the natural day, month or years it processes.

Airflow starts a DAG in four ways, and every DAG of ``dags/`` asks this module, not the context
directly (Airflow 3):

* **cron** (``CronTriggerTimetable``): ``logical_date`` is the trigger time, e.g. D+1 01:30 local;
  the run processes the day **before** it (its 24:00 hour arrives in D+1's national file);
* **backfill** (``airflow backfill create --from-date A --to-date B``): runs at the cron times between
  A and B, each with that time as its logical date, so as for cron: the run of A 01:30 processes A-1
  (README, "Operating it", has a worked example);
* **manual trigger** (UI, CLI or REST): ``conf``/params ``{"day": "YYYY-MM-DD"}`` (``"month"``,
  ``"year"``) chooses the period; without it, as for cron. The logical date may be **absent**
  (REST ``"logical_date": null``): then the run's ``run_after`` (when it was triggered) stands in;
* **asset event** (``plan_targets``): there is no logical date at all; the years to evaluate come
  from the triggering events' ``extra`` (``{"year": 2019}``, set by the domain DAGs' last task),
  else from ``run_after``.

Pure functions of the context mapping (no Airflow import), so they are tested with plain dicts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo

TIMEZONE = "Asia/Shanghai"


def day_for_run(moment: dt.datetime, timezone: str = TIMEZONE) -> dt.date:
    """The natural day a nightly run processes: the day before ``moment`` (its logical date or, without
    one, its ``run_after``), in local time. A naive ``moment`` is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(timezone)).date() - dt.timedelta(days=1)


def month_for_run(moment: dt.datetime, timezone: str = TIMEZONE) -> tuple[int, int]:
    """(year, month) a monthly run processes: the month of the day before ``moment``, local time (the
    03:00 run of the 1st handles the month that has just ended)."""
    day = day_for_run(moment, timezone)
    return day.year, day.month


def run_moment(context: Mapping) -> dt.datetime:
    """The run's logical date, or its ``run_after`` when it has none (manual REST trigger with
    ``logical_date: null``, asset-triggered run)."""
    logical = context.get("logical_date")
    if logical is not None:
        return logical
    dag_run = context.get("dag_run")
    after = getattr(dag_run, "run_after", None)
    if after is None:
        raise ValueError("the run has neither a logical date nor a run_after time")
    return after


def _chosen(context: Mapping, key: str):
    """A period chosen for the run: ``dag_run.conf`` first, then the DAG's params (which conf overrides)."""
    dag_run = context.get("dag_run")
    conf = getattr(dag_run, "conf", None) or {}
    value = conf.get(key)
    if value in (None, ""):
        value = (context.get("params") or {}).get(key)
    return None if value in (None, "") else value


def run_day(context: Mapping) -> dt.date:
    """The natural day a daily run processes: conf/params ``day`` (YYYY-MM-DD), else the day before its
    logical date (or ``run_after``). Raises ValueError on a malformed ``day``."""
    chosen = _chosen(context, "day")
    if chosen is not None:
        try:
            return dt.date.fromisoformat(str(chosen))
        except ValueError:
            raise ValueError(f"conf day {chosen!r} is not a date (YYYY-MM-DD)") from None
    return day_for_run(run_moment(context))


def backfill_range(context: Mapping) -> tuple[dt.date, dt.date, set[dt.date]]:
    """(first, last, known gaps) of a backfill run: conf/params ``first`` and ``last`` (YYYY-MM-DD), and
    ``known_gaps`` (a list of days missing in the source). Raises ValueError naming what is missing or wrong."""
    days = []
    for key in ("first", "last"):
        chosen = _chosen(context, key)
        if chosen is None:
            raise ValueError(f'a backfill needs conf {{"first": "YYYY-MM-DD", "last": "YYYY-MM-DD"}}: no {key!r}')
        try:
            days.append(dt.date.fromisoformat(str(chosen)))
        except ValueError:
            raise ValueError(f"conf {key} {chosen!r} is not a date (YYYY-MM-DD)") from None
    if days[1] < days[0]:
        raise ValueError(f"conf last {days[1]} is before first {days[0]}")
    gaps = _chosen(context, "known_gaps") or []
    try:
        known = {dt.date.fromisoformat(str(day)) for day in gaps}
    except ValueError:
        raise ValueError(f"conf known_gaps {gaps!r} must be a list of dates (YYYY-MM-DD)") from None
    return days[0], days[1], known


def run_month(context: Mapping) -> tuple[int, int]:
    """(year, month) a monthly run processes: conf/params ``month`` (YYYY-MM), else the month before its
    logical date (or ``run_after``)."""
    chosen = _chosen(context, "month")
    if chosen is not None:
        try:
            first = dt.datetime.strptime(str(chosen), "%Y-%m")
        except ValueError:
            raise ValueError(f"conf month {chosen!r} is not a month (YYYY-MM)") from None
        return first.year, first.month
    return month_for_run(run_moment(context))


def run_years(context: Mapping) -> list[int]:
    """The years a scoreboard run evaluates: conf/params ``year``; else every ``year`` in the extras of
    the asset events that triggered it; else the year of the day before ``run_after``/logical date."""
    chosen = _chosen(context, "year")
    if chosen is not None:
        return [int(chosen)]
    years = set()
    for events in (context.get("triggering_asset_events") or {}).values():
        for event in events:
            extra = getattr(event, "extra", None) or {}
            if extra.get("year") is not None:
                years.add(int(extra["year"]))
    return sorted(years) or [day_for_run(run_moment(context)).year]
