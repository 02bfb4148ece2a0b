"""The command line: documented, thin, and one clear line on bad input."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pandas as pd
import pytest

from pipeline.cli import build_parser, main
from pipeline.ingest.cnemc_wide import read
from tests.conftest import REPO, SAMPLE_AIR


def run_cli(*args, env_extra=None) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, env=env, cwd=REPO)


def commands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return list(sub.choices)


def test_every_command_is_documented_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for command in commands():
        assert re.search(rf"python -m pipeline {re.escape(command)}\b", readme), command


def hourly_input(paths) -> pd.DataFrame:
    """The national files as an `aqi --mode hourly` input: one row per station-hour."""
    records = pd.concat([read(p) for p in paths])
    wide = records.pivot_table(index=["station_code", "hour_end"], columns="pollutant", values="value", aggfunc="first")
    wide = wide[wide["aqi"].notna()].rename(columns={"o3": "o3_1h", "aqi": "published_aqi"})
    return wide[["so2", "no2", "pm10", "co", "pm25", "o3_1h", "published_aqi"]].reset_index()


def check_aqi_cli_against_published(paths, tmp_path) -> tuple[int, int]:
    source = tmp_path / "hourly.csv"
    hourly_input(paths).to_csv(source, index=False)
    out = tmp_path / "out.csv"
    # 2019 data, published under HJ 633-2012; the file has no date/time column, so the edition is named.
    assert main(["aqi", str(source), "-o", str(out), "--mode", "hourly", "--edition", "2012"]) == 0
    result = pd.read_csv(out)
    assert list(result.columns[:9]) == [
        "station_code",
        "hour_end",
        "so2",
        "no2",
        "pm10",
        "co",
        "pm25",
        "o3_1h",
        "published_aqi",
    ]
    matched = int((result["aqi"] == result["published_aqi"]).sum())
    return matched, len(result)


def test_aqi_hourly_cli_equals_published_aqi_on_sample(tmp_path):
    matched, total = check_aqi_cli_against_published(sorted(SAMPLE_AIR.glob("*.csv")), tmp_path)
    assert matched == total > 250


def test_aqi_hourly_cli_equals_published_aqi_nationally(shared_cnemc, tmp_path):
    """Acceptance 3, through the command analysts use."""
    matched, total = check_aqi_cli_against_published(sorted(shared_cnemc.glob("china_sites_*.csv")), tmp_path)
    print(f"aqi --mode hourly vs published AQI: {matched}/{total}")
    assert matched == total > 130_000


def test_aqi_cli_output_columns(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("site,pm25,o3_8h,co\nA,80,,1.05\nB,,,\nC,20,30,0.2\n")
    out = tmp_path / "out.csv"
    assert main(["aqi", str(source), "-o", str(out), "--edition", "2012"]) == 0
    result = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(result.columns) == [
        "site", "pm25", "o3_8h", "co", "iaqi_so2", "iaqi_no2", "iaqi_pm10", "iaqi_co", "iaqi_pm25",
        "iaqi_o3_8h", "iaqi_o3_1h", "aqi", "level", "category_zh", "category_en", "primary_pollutant",
        "aqi_status", "edition",
    ]  # fmt: skip
    assert result["edition"].tolist() == ["2012"] * 3
    assert result["aqi_status"].tolist() == ["published", "none", "published"]
    assert result.loc[
        0, ["co", "iaqi_co", "iaqi_pm25", "aqi", "level", "category_zh", "primary_pollutant"]
    ].tolist() == [
        "1.05",
        "25",
        "107",
        "107",
        "3",
        "轻度污染",
        "pm25",
    ]  # fmt: skip  (CO 1.05 rounds half-even to 1.0 -> IAQI 25)
    assert result.loc[1, ["aqi", "level", "category_en", "iaqi_pm25"]].tolist() == ["", "", "", ""]
    assert result.loc[2, "primary_pollutant"] == ""  # AQI 29 <= 50


def test_daily_aqi_cli(tmp_path):
    hours = pd.date_range("2019-02-10 01:00", periods=24, freq="h")
    frame = pd.DataFrame(
        {"station_code": "1264A", "time": hours.strftime("%Y-%m-%d %H:%M"), "pm25": 80, "o3": 50, "so2": 5}
    )
    frame.loc[23, "time"] = "2019-02-10 24:00"
    source = tmp_path / "hourly.csv"
    frame.to_csv(source, index=False)
    out = tmp_path / "daily.csv"
    assert main(["daily-aqi", str(source), "-o", str(out)]) == 0
    result = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(result.columns) == [
        "station_code", "date", "so2", "no2", "pm10", "co", "pm25", "o3_8h", "o3_1h", "aqi", "level", "primary_pollutant",
        "aqi_status", "valid_day", "edition",
    ]  # fmt: skip
    assert result.iloc[0].tolist() == [
        "1264A",
        "2019-02-10",
        "5",
        "",
        "",
        "",
        "80",
        "50",
        "50",
        "107",
        "3",
        "pm25",
        "published",
        "false",
        "2012",
    ]


@pytest.mark.parametrize(
    "content,message",
    [
        ("pm25\nabc\n", "line 2, column pm25: 'abc' is not a number"),
        ("pm25\n-3\n", "negative concentration"),
        ("foo,bar\n1,2\n", "no pollutant column"),
    ],
)
def test_bad_aqi_input_is_one_line_and_nonzero(tmp_path, content, message):
    source = tmp_path / "bad.csv"
    source.write_text(content)
    result = run_cli("aqi", str(source))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0 and message in result.stderr and str(source) in result.stderr


def test_run_init_db_ingest_and_indicators_end_to_end(tmp_path):
    env = {"QZ811_DB_URL": f"sqlite:///{tmp_path / 'wh.db'}", "QZ811_STAGING_DIR": str(tmp_path / "staging")}
    assert run_cli("init-db", env_extra=env).returncode == 0
    run = run_cli("run", "--date", "2019-07-01", env_extra=env)
    assert run.returncode == 0, run.stderr
    assert "[1/1 100%] 2019-07-01" in run.stdout and "衢州" in run.stdout and "达标" in run.stdout
    ingest = run_cli("ingest", "air", str(SAMPLE_AIR / "china_sites_20190702.csv"), env_extra=env)
    assert ingest.returncode == 0, ingest.stderr
    assert re.search(r"china_sites_20190702.csv: (\d+) read, \1 loaded, 0 quarantined", ingest.stdout)
    listed = run_cli("indicators", "--year", "2019", "--format", "csv", env_extra=env)
    table = pd.read_csv(pd.io.common.StringIO(listed.stdout))
    assert {"air.good_day_ratio", "air.annual.pm25"} <= set(table["indicator"])
    assert set(table["period"].astype(str)) == {"2019", "2019-07"}
    summary = run_cli("summary", "--year", "2019", env_extra=env)
    assert "2019-07-02" in summary.stdout and "优良天数比例" in summary.stdout


def test_bad_file_in_run_is_one_line_and_nonzero(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "china_sites_20190210.csv").write_bytes(b"site,when,what\r\n1264A,0,PM2.5")
    env = {"QZ811_DB_URL": f"sqlite:///{tmp_path / 'wh.db'}", "QZ811_STAGING_DIR": str(tmp_path / "staging")}
    run_cli("init-db", env_extra=env)
    result = run_cli("run", "--date", "2019-02-10", "--landing", str(landing), env_extra=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (
        result.stderr.startswith("error: ")
        and "china_sites_20190210.csv" in result.stderr
        and "unknown air format" in result.stderr
    )


def test_backfill_shows_progress_with_time_left(tmp_path):
    env = {"QZ811_DB_URL": f"sqlite:///{tmp_path / 'wh.db'}", "QZ811_STAGING_DIR": str(tmp_path / "staging")}
    assert run_cli("init-db", env_extra=env).returncode == 0
    run = run_cli("backfill", "--from", "2019-02-10", "--to", "2019-02-12", "--days-per-load", "1", env_extra=env)
    lines = [line for line in run.stdout.splitlines() if line.startswith("[")]
    assert [line.split()[:2] for line in lines] == [["[1/3", "33%"], ["[2/3", "66%"], ["[3/3", "100%"]]
    assert re.search(
        r"\[1/3  33% \d+:\d\d:\d\d elapsed, ~\d+:\d\d:\d\d left\] 2019-02-10 … 2019-02-10: 1 day", lines[0]
    )
    assert "2019-02-11 … 2019-02-11: 1 day(s) loaded" in lines[1]
    # The sample has no file for 2019-02-12: the backfill says so, goes on, and ends with status 1.
    assert "2019-02-12 missing" in lines[2]
    assert run.returncode == 1 and "error: 2019-02-12 missing: no file of its own" in run.stderr
    # `run --from --to` is the same backfill; a day known to be missing in the source is named, not an error.
    again = run_cli("run", "--from", "2019-02-10", "--to", "2019-02-12", "--known-gap", "2019-02-12", env_extra=env)
    assert again.returncode == 0 and "2 already loaded (skipped)" in again.stdout
    assert "2019-02-12 missing (known gap in the source)" in again.stdout


@pytest.mark.parametrize(
    "args,message",
    [
        (["--from", "2019-02-10"], "--from and --to go together"),
        (["--from", "2019-02-11", "--to", "2019-02-10"], "--to 2019-02-10 is before --from 2019-02-11"),
        ([], "no day to run"),
    ],
)
def test_bad_backfill_range_is_one_line(tmp_path, args, message):
    env = {"QZ811_DB_URL": f"sqlite:///{tmp_path / 'wh.db'}"}
    result = run_cli("run", *args, env_extra=env)
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr
