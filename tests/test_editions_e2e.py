"""The edition switch end to end: one real day re-dated either side of 2026-03-01 through the nightly job,
the scoreboard and report, the calculators, and `recompute` of a warehouse from the previous release
(SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from pipeline import cli
from pipeline.jobs.air import run_day
from pipeline.plan import scoreboard
from tests.conftest import DATA, pg_database
from tests.test_nightly import dump

SOURCE_DAY = "20190210"  # tests/data/air_editions: 1032A PM2.5 66, 1053A PM2.5 73 µg/m³ (24-h)
BEFORE, AFTER = dt.date(2026, 2, 27), dt.date(2026, 3, 2)
OLD_MARKER = "2012 tables (2026 edition in force, tables not loaded)"  # the previous release's edition value


def redated_landing(folder: Path, day: dt.date) -> Path:
    """The bundled real day and its next day's file, re-dated to ``day`` and ``day + 1``."""
    folder.mkdir(parents=True, exist_ok=True)
    for source, target in (("20190210", day), ("20190211", day + dt.timedelta(days=1))):
        text = (DATA / "air_editions" / f"china_sites_{source}.csv").read_text(encoding="utf-8")
        (folder / f"china_sites_{target:%Y%m%d}.csv").write_text(
            text.replace(f"\n{source},", f"\n{target:%Y%m%d},"), encoding="utf-8"
        )
    return folder


def station_days(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        frame = pd.read_sql(sa.text("SELECT * FROM air_station_day"), conn)
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    return frame.set_index(["station_code", "date"]).sort_index()


@pytest.fixture
def two_days(warehouse, tmp_path):
    for day in (BEFORE, AFTER):
        run_day(warehouse, redated_landing(tmp_path / f"landing_{day}", day), day, tmp_path / "staging")
    return warehouse


def test_the_same_real_day_before_and_after_the_change(two_days):
    days = station_days(two_days)
    for station, pm25, aqi_2012, aqi_2026 in (("1032A", 66, 89, 106), ("1053A", 73, 98, 112)):
        before, after = days.loc[(station, BEFORE)], days.loc[(station, AFTER)]
        # The concentrations are the same; only the standards differ.
        assert before["pm25"] == after["pm25"] == pm25
        assert (before["edition"], before["aqi"], before["category_zh"]) == ("2012", aqi_2012, "良")
        # HJ 633-2026 Table 3: PM2.5 60..115 -> IAQI 100..150, so 66 -> ceil(105.45) = 106, 73 -> ceil(111.8) = 112.
        assert (after["edition"], after["aqi"], after["category_zh"]) == ("2026-transition", aqi_2026, "轻度污染")
        assert after["primary_pollutant"] == "pm25" and after["aqi_status"] == "published"
        assert pd.isna(after["iaqi_o3_1h"]) and not pd.isna(before["iaqi_o3_1h"])  # six daily indicators in 2026
    with two_days.connect() as conn:
        cities = pd.read_sql(sa.text("SELECT date, edition FROM air_city_day WHERE city = '衢州' ORDER BY date"), conn)
    assert cities["edition"].tolist() == ["2012", "2026-transition"]


def test_scoreboard_summary_and_report_name_the_editions(two_days, tmp_path):
    from pipeline.reports.html import write_report
    from pipeline.reports.text import day_summary, scoreboard_text

    board = scoreboard.compute(two_days, 2026).set_index("target_id")
    assert board.at["air.good_day_ratio", "edition"].startswith("HJ 633-2012 (至 to 2026-02-28) + HJ 633-2026")
    assert "GB 3095-2026 过渡阶段" in board.at["air.annual_pm10", "edition"]
    assert board.at["water.qiantang_compliance", "edition"] == ""
    assert "GB 3095-2026 过渡阶段" in scoreboard_text(two_days, 2026)
    text = day_summary(two_days, AFTER, "衢州")
    assert "HJ 633-2026" in text and "健康提示" in text and "HJ 633-2026 表1" in text
    page = write_report(two_days, 2026, "衢州", tmp_path / "report.html").read_text(encoding="utf-8")
    assert "GB 3095-2026 过渡阶段二级 transition Grade II" in page and "健康提示 Health information" in page


def test_polluted_day_alert_carries_health_information(two_days):
    from pipeline.plan.alerts import polluted_day_health

    lines = polluted_day_health(two_days, 2026, city="衢州")
    # 衢州 (1264A) had a clean day: no polluted day, so no health lines; the stations elsewhere did not count.
    assert lines == []


def run_cli(argv, monkeypatch, url) -> int:
    monkeypatch.setenv("QZ811_DB_URL", url)
    return cli.main(argv)


def test_calculator_edition_by_option_date_and_time(tmp_path, capsys, monkeypatch):
    days = tmp_path / "days.csv"
    days.write_text("date,pm25,pm10\n2026-02-28,70,40\n2026-03-01,70,40\n", encoding="utf-8")
    assert cli.main(["aqi", str(days)]) == 0
    out = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out), dtype=str)
    assert out["edition"].tolist() == ["2012", "2026"] and out["aqi"].tolist() == ["94", "110"]
    assert out["aqi_status"].tolist() == ["published", "NA"] or out["aqi_status"].tolist() == ["published", "published"]
    assert cli.main(["aqi", str(days), "--edition", "2012"]) == 0
    assert pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out), dtype=str)["aqi"].tolist() == ["94", "94"]
    hours = tmp_path / "hours.csv"  # the 24:00 hour of 2026-02-28 is still 2012 (natural day)
    hours.write_text("time,pm25\n2026-03-01 00:00,70\n2026-03-01 01:00,70\n", encoding="utf-8")
    assert cli.main(["aqi", str(hours), "--mode", "hourly"]) == 0
    out = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out), dtype=str)
    assert out["edition"].tolist() == ["2012", "2026"] and out["aqi"].tolist() == ["94", "110"]
    bare = tmp_path / "bare.csv"
    bare.write_text("pm25\n70\n", encoding="utf-8")
    assert cli.main(["aqi", str(bare)]) == 0  # no date: the edition in force today
    assert pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out), dtype=str)["edition"].tolist() == ["2026"]


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--edition", "2019"], "--edition '2019': no such edition of HJ 633; use 2012 or 2026"),
        ([], "line 3, column date: '2026-13-01' is not YYYY-MM-DD"),
    ],
)
def test_calculator_bad_edition_or_date_is_one_line_and_exit_1(tmp_path, capsys, argv, message):
    days = tmp_path / "days.csv"
    days.write_text("date,pm25\n2026-02-28,70\n2026-13-01,70\n", encoding="utf-8")
    output = tmp_path / "out.csv"
    assert cli.main(["aqi", str(days), "-o", str(output), *argv]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err
    assert not output.exists()


def test_daily_aqi_picks_the_edition_per_day(tmp_path, capsys):
    rows = ["station_code,time,pm25"]
    for day in ("2026-02-28", "2026-03-01"):
        rows += [f"X1,{day} {h:02d}:00,70" for h in range(1, 24)] + [
            f"X1,{pd.Timestamp(day).date() + dt.timedelta(days=1)} 00:00,70"
        ]
    path = tmp_path / "hours.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert cli.main(["daily-aqi", str(path)]) == 0
    out = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out), dtype=str)
    assert out["date"].tolist() == ["2026-02-28", "2026-03-01"]
    assert out["edition"].tolist() == ["2012", "2026"] and out["aqi"].tolist() == ["94", "110"]
    assert out["aqi_status"].tolist() == ["published", "published"]  # one pollutant but AQI > 100 in 2026... and 2012


def _previous_release(engine, tmp_path, monkeypatch) -> None:
    """Make ``engine`` look like a warehouse of the previous release holding 2026-03-02: that day computed with
    the 2012 tables and marked so, and the schema without this release's columns and version table."""
    import pipeline.indicators.daily as daily

    with monkeypatch.context() as patch:
        patch.setattr(daily, "edition_for", lambda dates: pd.Series(["2012"] * len(dates)).to_numpy(dtype=object))
        for day in (BEFORE, AFTER):
            run_day(engine, redated_landing(tmp_path / f"old_{day}", day), day, tmp_path / "old_staging")
    scoreboard.compute(engine, 2026)
    with engine.begin() as conn:
        for table in ("air_station_day", "air_city_day"):
            conn.execute(sa.text(f"UPDATE {table} SET edition = :m WHERE date >= '2026-03-01'"), {"m": OLD_MARKER})
        for (view,) in conn.execute(
            sa.text(
                "SELECT name FROM sqlite_master WHERE type = 'view'"
                if engine.dialect.name == "sqlite"
                else "SELECT table_name FROM information_schema.views WHERE table_schema = 'public'"
            )
        ).all():
            conn.execute(sa.text(f"DROP VIEW {view}"))
        for table, column in (
            ("air_station_day", "aqi_status"),
            ("air_city_day", "aqi_status"),
            ("scoreboard", "edition"),
            ("alert", "claimed_at"),
            ("source_reading", "min_value"),
            ("source_reading", "max_value"),
            ("source_reading", "cou_value"),
            ("plan_target", "department"),
            ("ingest_batch", "rows_summarised"),  # migration 006 (the air backfill's hourly scope)
            *(("indicator", c) for c in ("first_day", "last_day", "n_valid", "n_expected", "coverage", "outlook")),
            *(
                ("scoreboard", c)
                for c in ("coverage", "first_day", "last_day", "n_valid", "n_expected", "previous_value")
            ),
        ):
            conn.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        conn.execute(sa.text("DROP TABLE alert_recipient"))
        conn.execute(sa.text("DROP TABLE schema_version"))


@pytest.fixture(params=["sqlite", "postgresql"])
def engines(request, tmp_path):
    """(old, fresh): two warehouses on the same kind of database."""
    from pipeline.store.engine import make_engine
    from pipeline.store.schema import init_db

    if request.param == "sqlite":
        made = [make_engine(f"sqlite:///{tmp_path / name}.db") for name in ("old", "fresh")]
        for engine in made:
            init_db(engine)
        yield made
        for engine in made:
            engine.dispose()
    else:
        old, drop_old = pg_database()
        fresh, drop_fresh = pg_database()
        yield old, fresh
        drop_old()
        drop_fresh()


def test_recompute_brings_a_previous_release_warehouse_up_to_date(engines, tmp_path, monkeypatch, capsys):
    from pipeline.store.schema import migration_files

    old, fresh = engines
    _previous_release(old, tmp_path, monkeypatch)
    url = old.url.render_as_string(hide_password=False)
    assert run_cli(["init-db"], monkeypatch, url) == 0  # applies every migration (005: indicator coverage)
    with old.connect() as conn:
        versions = conn.execute(sa.text("SELECT version FROM schema_version ORDER BY 1")).scalars().all()
        assert versions == [n for n, _ in migration_files()] and versions[:5] == [1, 2, 3, 4, 5]
        assert {c["name"] for c in sa.inspect(conn).get_columns("indicator")} >= {"first_day", "n_expected", "coverage"}
        assert {c["name"] for c in sa.inspect(conn).get_columns("source_reading")} >= {"min_value", "cou_value"}
        department = "SELECT department FROM plan_target WHERE id = 'water.qiantang_compliance'"
        assert conn.execute(sa.text(department)).scalar_one() == "市生态环境局"  # migration 004, then the registry
    assert run_cli(["recompute", "--from", "2026-03-01", "--to", "2026-12-31"], monkeypatch, url) == 0
    out = capsys.readouterr().out
    assert "[1/1 100%] 2026-03-02: 3 station-days" in out and "scoreboard of 2026" in out
    for day in (BEFORE, AFTER):
        run_day(fresh, redated_landing(tmp_path / f"new_{day}", day), day, tmp_path / "new_staging")
    scoreboard.compute(fresh, 2026)
    tables = ["air_station_day", "air_city_day", "indicator", "scoreboard"]
    expected = dump(fresh, tables)
    assert_equal_dumps(dump(old, tables), expected)
    assert run_cli(["recompute", "--from", "2026-03-01", "--to", "2026-12-31"], monkeypatch, url) == 0  # idempotent
    assert_equal_dumps(dump(old, tables), expected)
    days = station_days(old)
    assert days.loc[("1032A", AFTER), "aqi"] == 106 and days.loc[("1032A", BEFORE), "aqi"] == 89


def assert_equal_dumps(got: dict, expected: dict) -> None:
    for table, frame in expected.items():
        pd.testing.assert_frame_equal(got[table][frame.columns], frame, check_dtype=False, obj=table)
