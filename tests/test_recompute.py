"""`recompute` finds every day of its range that has hourly readings, also one whose daily values were never
written (what a kill after the load's commit leaves: issue 28.7), and rebuilds it as the night would have."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from pipeline.jobs.air import recompute, run_day
from tests.conftest import SAMPLE_AIR

DAY = dt.date(2019, 7, 1)


def days_of(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(sa.text("SELECT station_code, date, aqi, valid_day FROM air_station_day "
                                   "ORDER BY station_code, date"), conn)  # fmt: skip


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_day_with_hours_and_no_daily_values_is_rebuilt(database, request, tmp_path):
    engine = request.getfixturevalue("warehouse" if database == "sqlite" else "pg_warehouse")
    run_day(engine, SAMPLE_AIR, DAY, tmp_path / "staging")
    night = days_of(engine)
    assert len(night) == 3
    with engine.begin() as conn:  # the load committed, the daily values never written
        conn.execute(sa.text("DELETE FROM air_city_day"))
        conn.execute(sa.text("DELETE FROM air_station_day"))
    done = recompute(engine, DAY, DAY + dt.timedelta(days=1))
    assert done["days"] == ["2019-07-01"]  # 07-02 00:00 is 07-01 24:00: no hour of 07-02 was loaded
    rebuilt = days_of(engine)
    pd.testing.assert_frame_equal(
        rebuilt[rebuilt["date"].astype(str).str[:10] == "2019-07-01"].reset_index(drop=True), night
    )
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM air_city_day WHERE city = '衢州'")).scalar_one() >= 1
