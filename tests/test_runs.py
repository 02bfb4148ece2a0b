"""What a run stands for, for every way Airflow starts one (pipeline/runs.py), with plain contexts."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from pipeline.runs import backfill_range, day_for_run, month_for_run, run_day, run_month, run_years

CRON = dt.datetime(2019, 2, 10, 17, 30, tzinfo=dt.UTC)  # 2019-02-11 01:30 Asia/Shanghai


def ctx(logical=None, run_after=None, conf=None, params=None, events=None) -> dict:
    dag_run = SimpleNamespace(conf=conf or {}, run_after=run_after)
    return {"logical_date": logical, "dag_run": dag_run, "params": params or {}, "triggering_asset_events": events}


def test_cron_and_backfill_runs_process_the_day_before_their_date():
    assert day_for_run(CRON) == dt.date(2019, 2, 10)
    assert run_day(ctx(logical=CRON)) == dt.date(2019, 2, 10)
    assert month_for_run(dt.datetime(2019, 7, 31, 19, 0, tzinfo=dt.UTC)) == (2019, 7)  # 08-01 03:00 +08


def test_manual_runs_take_their_conf_or_params():
    assert run_day(ctx(logical=CRON, conf={"day": "2019-07-01"})) == dt.date(2019, 7, 1)
    assert run_day(ctx(run_after=CRON, params={"day": "2019-07-02"})) == dt.date(2019, 7, 2)
    assert run_month(ctx(run_after=CRON, conf={"month": "2019-07"})) == (2019, 7)
    with pytest.raises(ValueError, match="conf day '07/01/2019' is not a date"):
        run_day(ctx(logical=CRON, conf={"day": "07/01/2019"}))


def test_a_run_without_logical_date_uses_run_after():
    """A REST trigger with "logical_date": null, and every asset-triggered run."""
    assert run_day(ctx(run_after=CRON)) == dt.date(2019, 2, 10)
    with pytest.raises(ValueError, match="neither a logical date nor a run_after"):
        run_day(ctx())


def test_asset_triggered_runs_evaluate_the_years_of_their_events():
    events = {
        "air": [SimpleNamespace(extra={"year": 2019, "day": "2019-02-10"})],
        "water": [SimpleNamespace(extra={"year": 2018}), SimpleNamespace(extra={})],
    }
    assert run_years(ctx(run_after=CRON, events=events)) == [2018, 2019]
    assert run_years(ctx(run_after=CRON, events={"air": [SimpleNamespace(extra=None)]})) == [2019]
    assert run_years(ctx(run_after=CRON, conf={"year": 2017}, events=events)) == [2017]


def test_a_backfill_run_takes_its_range_and_known_gaps_from_conf():
    conf = {"first": "2019-01-01", "last": "2019-12-31", "known_gaps": ["2019-04-08"]}
    assert backfill_range(ctx(run_after=CRON, conf=conf)) == (
        dt.date(2019, 1, 1), dt.date(2019, 12, 31), {dt.date(2019, 4, 8)})  # fmt: skip
    with pytest.raises(ValueError, match="no 'last'"):
        backfill_range(ctx(run_after=CRON, conf={"first": "2019-01-01"}))
    with pytest.raises(ValueError, match="before first"):
        backfill_range(ctx(run_after=CRON, conf={"first": "2019-02-01", "last": "2019-01-01"}))
    with pytest.raises(ValueError, match="known_gaps"):
        backfill_range(ctx(run_after=CRON, conf={**conf, "known_gaps": ["April"]}))
