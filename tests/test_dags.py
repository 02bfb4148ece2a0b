"""DAG integrity and a real run: every DAG file loads, and `airflow dags test` fills the warehouse."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from tests.conftest import REPO

pytestmark = pytest.mark.airflow
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def airflow_env(tmp_path_factory) -> dict:
    home = tmp_path_factory.mktemp("airflow_home")
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "QZ811_DB_URL": f"sqlite:///{home / 'warehouse.db'}",
        "QZ811_STAGING_DIR": str(home / "staging"),
        "QZ811_LANDING_DIR": str(REPO / "data" / "sample" / "air"),
        "QZ811_KEEP_STAGING": "true",  # the tests look at the mapped validations' staged files
    }
    migrate = subprocess.run([BIN / "airflow", "db", "migrate"], env=env, capture_output=True, text=True)
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    return env


LOAD_DAGS = """
import json
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder={folder!r})
print(json.dumps({{"errors": {{k: str(v) for k, v in bag.import_errors.items()}},
                  "dags": {{d: {{"tasks": [t.task_id for t in dag.tasks],
                                "outlets": [str(o.uri) for t in dag.tasks for o in t.outlets],
                                "retries": [t.retries for t in dag.tasks],
                                "rules": {{t.task_id: [getattr(t.trigger_rule, "value", str(t.trigger_rule)), sorted(t.upstream_task_ids)] for t in dag.tasks}}}}
                           for d, dag in bag.dags.items()}}}}))
"""


def test_every_dag_file_loads_without_import_errors(airflow_env):
    result = subprocess.run(
        [sys.executable, "-c", LOAD_DAGS.format(folder=str(REPO / "dags"))],
        env=airflow_env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    bag = json.loads(result.stdout.strip().splitlines()[-1])
    assert bag["errors"] == {}
    assert set(bag["dags"]) == {
        "air_backfill",
        "air_quality_nightly",
        "air_deadline",
        "water_auto_daily",
        "water_manual_monthly",
        "pollution_sources",
        "plan_targets",
    }
    assert bag["dags"]["plan_targets"]["tasks"] == ["scoreboard", "report", "alerts", "month_report"]
    # the month report (月报) is mailed after the report task wrote it
    assert bag["dags"]["plan_targets"]["rules"]["month_report"] == ["all_success", ["report"]]
    # the notices wait for the report but go out when it failed
    assert bag["dags"]["plan_targets"]["rules"]["alerts"] == ["all_done", ["report", "scoreboard"]]
    assert bag["dags"]["pollution_sources"]["tasks"] == [
        "ingest", "outlet_groups", "validate", "merge", "load", "daily_values", "indicators"
    ]  # fmt: skip
    nightly = bag["dags"]["air_quality_nightly"]
    assert nightly["tasks"] == [
        "wait_for_files", "ingest", "station_groups", "validate", "merge", "load", "daily_values", "indicators"
    ]  # fmt: skip
    assert nightly["outlets"] == ["qz811://warehouse/air_city_day"]
    assert set(nightly["retries"]) == {2}
    water = ["ingest", "section_groups", "validate", "merge", "load", "classes"]
    assert bag["dags"]["water_manual_monthly"]["tasks"] == [*water, "indicators"]
    assert bag["dags"]["water_auto_daily"]["tasks"] == water
    assert bag["dags"]["water_manual_monthly"]["outlets"] == ["qz811://warehouse/water"]


def test_dags_test_runs_the_sample_day_into_the_warehouse(airflow_env):
    init = subprocess.run(
        [sys.executable, "-m", "pipeline", "init-db"], env=airflow_env, capture_output=True, text=True, cwd=REPO
    )
    assert init.returncode == 0, init.stderr
    # Logical date 2019-02-11 (the 01:30 run of that day) processes natural day 2019-02-10.
    run = subprocess.run(
        [BIN / "airflow", "dags", "test", "air_quality_nightly", "2019-02-11"],
        env={**airflow_env, "QZ811_STATION_GROUPS": "3"},
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    assert "state=success" in run.stdout + run.stderr
    # validate ran as three mapped tasks, one per station group, whose rows add up to the day's
    staging = Path(airflow_env["QZ811_STAGING_DIR"]) / "air_hourly" / "2019-02-10"
    groups = [pd.read_pickle(staging / f"valid_{i}.pkl") for i in range(3)]
    assert sum(len(g) for g in groups) == len(pd.read_pickle(staging / "valid.pkl")) > 0
    assert all(g["station_code"].nunique() <= 2 for g in groups)
    engine = sa.create_engine(airflow_env["QZ811_DB_URL"])
    with engine.connect() as conn:
        hours = conn.execute(sa.text("SELECT COUNT(DISTINCT hour_end) FROM air_hourly")).scalar_one()
        days = conn.execute(
            sa.text("SELECT station_code, aqi FROM air_station_day WHERE date = '2019-02-10' ORDER BY 1")
        ).all()
        city = conn.execute(
            sa.text("SELECT aqi FROM air_city_day WHERE city = '衢州' AND date = '2019-02-10'")
        ).scalar_one()
        ratio = conn.execute(
            sa.text("SELECT status FROM indicator WHERE indicator = 'air.good_day_ratio' AND period = '2019-02'")
        ).scalar_one()
    engine.dispose()
    assert hours == 24
    assert [d[0] for d in days] == ["1264A", "1265A", "1266A"]
    assert city == 26 and ratio == "on_track"  # one day of February: the month so far (issue 24)


def test_dags_test_backfills_a_range_of_the_real_year(airflow_env, tmp_path):
    """The air_backfill DAG, triggered with a range as conf (no logical date needed), runs the bulk job."""
    url = f"sqlite:///{tmp_path / 'backfill.db'}"
    env = {**airflow_env, "QZ811_DB_URL": url, "QZ811_LANDING_DIR": str(REPO / "data" / "sample" / "air_2019")}
    init = subprocess.run([sys.executable, "-m", "pipeline", "init-db"], env=env, capture_output=True, text=True)
    assert init.returncode == 0, init.stderr
    conf = json.dumps({"first": "2019-04-06", "last": "2019-04-09", "known_gaps": ["2019-04-08"]})
    run = subprocess.run([BIN / "airflow", "dags", "test", "-c", conf, "air_backfill"], env=env,
                         capture_output=True, text=True)  # fmt: skip
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        days = [
            r[0] for r in conn.execute(sa.text("SELECT DISTINCT date FROM air_city_day WHERE city = '衢州' ORDER BY 1"))
        ]
        valid = conn.execute(
            sa.text("SELECT valid_day FROM air_city_day WHERE city = '衢州' AND date = '2019-04-08'")
        ).scalar_one()
    engine.dispose()
    # 2019-04-08 has no file in the source: its one hour (24:00, from the file of 04-09) makes no valid day
    assert days == ["2019-04-06", "2019-04-07", "2019-04-08", "2019-04-09"] and not valid


def assert_validated_in_groups(staging: Path, groups: int, code: str) -> None:
    """validate ran as ``groups`` mapped tasks, whose valid rows add up to the batch's, each monitoring
    point in one group only."""
    parts = [pd.read_pickle(staging / f"valid_{i}.pkl") for i in range(groups)]
    assert not (staging / f"valid_{groups}.pkl").exists()
    assert sum(len(p) for p in parts) == len(pd.read_pickle(staging / "valid.pkl")) > 0
    codes = [set(p[code]) for p in parts]
    assert sum(len(c) for c in codes) == len(set().union(*codes))


def test_dags_test_runs_the_sample_water_month(airflow_env):
    env = {**airflow_env, "QZ811_DB_URL": airflow_env["QZ811_DB_URL"].replace("warehouse.db", "water.db")}
    env["QZ811_WATER_LANDING_DIR"] = str(REPO / "data" / "sample" / "water")
    init = subprocess.run(
        [sys.executable, "-m", "pipeline", "init-db"], env=env, capture_output=True, text=True, cwd=REPO
    )
    assert init.returncode == 0, init.stderr
    # The run of 2019-08-01 03:00 handles July 2019.
    run = subprocess.run(
        [BIN / "airflow", "dags", "test", "water_manual_monthly", "2019-08-01T03:00:00+08:00"],
        env={**env, "QZ811_STATION_GROUPS": "2"},
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    assert_validated_in_groups(Path(env["QZ811_STAGING_DIR"]) / "water_manual" / "2019-07", 2, "section_code")
    engine = sa.create_engine(env["QZ811_DB_URL"])
    with engine.connect() as conn:
        rates = dict(
            conn.execute(
                sa.text("SELECT indicator, status FROM indicator WHERE period = '2019-07' AND indicator LIKE 'water.%'")
            ).all()
        )
        months = conn.execute(
            sa.text("SELECT COUNT(*) FROM water_section_period WHERE period = '2019-07'")
        ).scalar_one()
    engine.dispose()
    assert months == 19
    assert rates["water.qiantang_compliance"] == "missed"  # 5 of 6 main-stream sections (樟树潭 is class IV)
    assert rates["water.drinking_county_sections"] == "met"
    assert rates["water.drinking_township_samples"] == "met"


def test_dags_test_runs_a_sample_source_day(airflow_env):
    env = {**airflow_env, "QZ811_DB_URL": airflow_env["QZ811_DB_URL"].replace("warehouse.db", "sources.db")}
    env["QZ811_SOURCES_LANDING_DIR"] = str(REPO / "data" / "sample" / "sources")
    init = subprocess.run(
        [sys.executable, "-m", "pipeline", "init-db"], env=env, capture_output=True, text=True, cwd=REPO
    )
    assert init.returncode == 0, init.stderr
    run = subprocess.run(
        [BIN / "airflow", "dags", "test", "pollution_sources", "2019-07-13T02:30:00+08:00"],
        env={**env, "QZ811_STATION_GROUPS": "3"},
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    assert_validated_in_groups(Path(env["QZ811_STAGING_DIR"]) / "source_readings" / "2019-07-12", 3, "outlet_code")
    engine = sa.create_engine(env["QZ811_DB_URL"])
    with engine.connect() as conn:
        exceeded = conn.execute(
            sa.text("SELECT outlet_code, pollutant FROM source_outlet_day WHERE date = '2019-07-12' AND exceeded")
        ).all()
        status = conn.execute(
            sa.text("SELECT status FROM indicator WHERE indicator = 'sources.key_compliance' AND period = '2019-07'")
        ).scalar_one()
    engine.dispose()
    assert [tuple(r) for r in exceeded] == [("QZS01", "so2")] and status == "at_risk"  # a day of July: so far


def test_dags_test_plan_targets_mails_through_the_smtp_default_connection(airflow_env, tmp_path):
    from tests.test_alerts import Inbox, Server, free_port

    inbox = Inbox()
    server = Server(inbox, free_port())
    server.start()
    try:
        env = {
            **airflow_env,
            "QZ811_DB_URL": f"sqlite:///{tmp_path / 'plan.db'}",
            "QZ811_OUTBOX_DIR": str(tmp_path / "outbox"),
            "QZ811_REPORT_DIR": str(tmp_path / "reports"),
        }
        # a plain loopback server: no SSL, no STARTTLS (the hook defaults to both)
        env["AIRFLOW_CONN_SMTP_DEFAULT"] = f"smtp://127.0.0.1:{server.port}?disable_ssl=true&disable_tls=true"
        for args in (["init-db"], ["water", "--month", "2019-07", "--quiet"]):
            done = subprocess.run(
                [sys.executable, "-m", "pipeline", *args], env=env, capture_output=True, text=True, cwd=REPO
            )
            assert done.returncode == 0, done.stderr
        # The run of 2020-01-01 evaluates 2019 (the day before its logical date).
        run = subprocess.run(
            [BIN / "airflow", "dags", "test", "plan_targets", "2020-01-01T02:00:00+08:00"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    finally:
        server.stop()
    subjects = [m["Subject"] for m in inbox.messages]
    assert any("钱塘江" in s and "未达标" in s for s in subjects)
    assert not (tmp_path / "outbox").exists()  # sent, not written out
    # The report task wrote the year's report before the alerts, and every email points to it.
    report = tmp_path / "reports" / "report-2019.html"
    assert report.is_file() and "钱塘江" in report.read_text(encoding="utf-8")
    for message in inbox.messages:
        assert f"年度报告 Report：{report}" in message.get_body(("plain",)).get_content()


def test_plan_targets_task_fails_while_smtp_refuses_and_a_later_run_delivers_once(airflow_env, tmp_path):
    from tests.test_alerts import RefusingInbox, Server, free_port

    inbox = RefusingInbox()
    server = Server(inbox, free_port())
    server.start()
    env = {
        **airflow_env,
        "QZ811_DB_URL": f"sqlite:///{tmp_path / 'refused.db'}",
        "QZ811_OUTBOX_DIR": str(tmp_path / "o"),
    }
    env["AIRFLOW_CONN_SMTP_DEFAULT"] = f"smtp://127.0.0.1:{server.port}?disable_ssl=true&disable_tls=true&retry_limit=0"
    try:
        for args in (["init-db"], ["water", "--month", "2019-07", "--quiet"]):
            done = subprocess.run(
                [sys.executable, "-m", "pipeline", *args], env=env, capture_output=True, text=True, cwd=REPO
            )
            assert done.returncode == 0, done.stderr

        def plan_run(logical_date: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                [BIN / "airflow", "dags", "test", "plan_targets", logical_date], env=env, capture_output=True, text=True
            )

        refused = plan_run("2020-01-01T02:00:00+08:00")
        assert refused.returncode != 0 and "not delivered" in refused.stdout + refused.stderr
        assert inbox.messages == []
        inbox.refusing = False
        later = plan_run("2020-01-02T02:00:00+08:00")  # still the year 2019
        assert later.returncode == 0, (later.stdout + later.stderr)[-3000:]
        delivered = len(inbox.messages)
        again = plan_run("2020-01-03T02:00:00+08:00")
        assert again.returncode == 0
    finally:
        server.stop()
    engine = sa.create_engine(env["QZ811_DB_URL"])
    with engine.connect() as conn:
        states = conn.execute(sa.text("SELECT delivery_state, attempts FROM alert")).all()
    engine.dispose()
    assert delivered == len(states) == len(inbox.messages) > 0  # each alert exactly once
    assert {s for s, _ in states} == {"sent"} and {a for _, a in states} == {2}


def test_a_night_missing_at_11_00_fails_the_deadline_check_and_mails_the_operators(airflow_env, tmp_path):
    from tests.test_alerts import Inbox, Server, free_port

    inbox = Inbox()
    server = Server(inbox, free_port())
    server.start()
    env = {**airflow_env, "QZ811_DB_URL": f"sqlite:///{tmp_path / 'deadline.db'}", "QZ811_OPERATORS": "ops@test.local"}
    env["AIRFLOW_CONN_SMTP_DEFAULT"] = f"smtp://127.0.0.1:{server.port}?disable_ssl=true&disable_tls=true&retry_limit=0"
    try:
        init = subprocess.run(
            [sys.executable, "-m", "pipeline", "init-db"], env=env, capture_output=True, text=True, cwd=REPO
        )
        assert init.returncode == 0, init.stderr
        # 11:00 of 2019-02-11: the night of 2019-02-10 is not in the warehouse.
        late = subprocess.run([BIN / "airflow", "dags", "test", "air_deadline", "2019-02-11T11:00:00+08:00"], env=env,
                              capture_output=True, text=True)  # fmt: skip
        assert late.returncode != 0 and "deadline missed" in late.stdout + late.stderr
        assert len(inbox.messages) == 1
        notice = inbox.messages[0]
        assert notice["Subject"].startswith("【qz811 运行失败】air_deadline") and "air_day_is_in" in notice["Subject"]
        assert inbox.envelopes[0].rcpt_tos == ["ops@test.local"]
        # Once the night is in, the same check passes and mails nobody.
        run = subprocess.run([sys.executable, "-m", "pipeline", "run", "--quiet", "--date", "2019-02-10"], env=env,
                             capture_output=True, text=True, cwd=REPO)  # fmt: skip
        assert run.returncode == 0, run.stderr
        on_time = subprocess.run([BIN / "airflow", "dags", "test", "air_deadline", "2019-02-11T11:00:00+08:00"],
                                 env=env, capture_output=True, text=True)  # fmt: skip
        assert on_time.returncode == 0, (on_time.stdout + on_time.stderr)[-3000:]
        assert len(inbox.messages) == 1
    finally:
        server.stop()
