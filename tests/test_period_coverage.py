"""Issue 24, part 2: no year judged from part of it. The at-risk rules by hand, and the acceptance check: a
warehouse holding 2019-01-01 ... 2019-06-30 of air (with the demo's July water and source samples) has no annual
达标/未达标 anywhere: scoreboard, views, report, e-mails."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from pipeline.indicators.coverage import coverage
from pipeline.plan.indicators import GOOD_AIR_DAYS, air_indicator_rows, indicator_row
from pipeline.plan.registry import STATUS_WORDS, ytd_outlook
from tests.conftest import REPO

SAMPLE = REPO / "data" / "sample"


def test_good_day_ratio_below_the_goal_but_still_reachable():
    status, note = ytd_outlook(94.74, ">", 95.0, best=100 * 346 / 355)
    assert status == "at_risk" and "97.46" in note and "仍可达标" in note


def test_good_day_ratio_no_longer_reachable():
    status, note = ytd_outlook(100 * 300 / 340, ">", 95.0, best=100 * 330 / 370)
    assert status == "at_risk" and "89.19" in note and "已无法达标" in note


def test_good_day_ratio_on_track():
    assert ytd_outlook(96.0, ">", 95.0, best=98.0)[0] == "on_track"


def test_the_one_constructor_never_judges_a_period_so_far():
    half = coverage("2019", pd.date_range("2019-01-01", "2019-06-30").strftime("%Y-%m-%d"))
    row = indicator_row(GOOD_AIR_DAYS, "衢州", "2019", 99.0, half, ">", 95.0, 181, "", "")
    assert (row["status"], row["coverage"], row["data_complete"]) == ("on_track", "ytd", False)
    assert row["outlook"].startswith("1–6月累计")
    full = coverage("2019", pd.date_range("2019-01-01", "2019-12-31").strftime("%Y-%m-%d"))
    row = indicator_row(GOOD_AIR_DAYS, "衢州", "2019", 94.0, full, ">", 95.0, 365, "", "")
    assert (row["status"], row["coverage"], row["outlook"]) == ("missed", "complete", "")


def test_emissions_so_far_against_the_cap_pro_rated_by_days():
    from pipeline.plan.indicators import SOURCE_INDICATORS

    cover = coverage("2019", ["2019-01-15", "2019-06-30"], rule="months")  # the city, months 1 and 6
    target = SOURCE_INDICATORS["sources.total.so2"]
    under = indicator_row(target, "衢州", "2019", 170.0, cover, "<=", 365.0, 1, "", "", ytd_goal=181.0)
    over = indicator_row(target, "衢州", "2019", 190.0, cover, "<=", 365.0, 1, "", "", ytd_goal=181.0)
    assert (under["status"], over["status"]) == ("on_track", "at_risk") and "181" in over["outlook"]


def half_year() -> pd.DataFrame:
    """衢州 2019-01-01 ... 06-30: 181 days, 10 invalid (O3 missing), 171 valid of which 9 polluted: 162 / 171 =
    94.74 % good days."""
    dates = pd.date_range("2019-01-01", "2019-06-30")
    rows = []
    for i, day in enumerate(dates):
        invalid = i % 18 == 5  # 10 days
        polluted = i in (7, 27, 47, 67, 87, 107, 127, 147, 157)  # 9 days, none of them invalid
        rows.append({
            "city": "衢州", "date": day.strftime("%Y-%m-%d"), "so2": 8.0, "no2": 30.0, "pm10": 60.0, "co": 0.8,
            "pm25": 90.0 if polluted else 30.0, "o3_8h": None if invalid else 100.0, "o3_1h": None, "n_stations": 3,
            "iaqi_so2": 3, "iaqi_no2": 15, "iaqi_pm10": 55, "iaqi_co": 8, "iaqi_pm25": 119 if polluted else 43,
            "iaqi_o3_8h": None if invalid else 50, "iaqi_o3_1h": None, "aqi": 119 if polluted else 55,
            "level": 3 if polluted else 2, "category_zh": "轻度污染" if polluted else "良",
            "category_en": "Lightly polluted" if polluted else "Good", "primary_pollutant": "pm25" if polluted else "pm10",
            "valid_day": not invalid, "edition": "2012", "aqi_status": "published",
        })  # fmt: skip
    frame = pd.DataFrame(rows)
    valid = frame[frame["valid_day"]]
    assert len(frame) == 181 and len(valid) == 171 and (valid["aqi"] <= 100).sum() == 162
    return frame


def test_half_a_year_of_air_days_by_hand():
    rows = air_indicator_rows(half_year(), 2019).set_index(["indicator", "period"])
    year = rows.loc[("air.good_day_ratio", "2019")]
    assert year["value"] == pytest.approx(100 * 162 / 171) and round(year["value"], 2) == 94.74
    assert (year["status"], year["coverage"], year["n_valid"], year["n_expected"]) == ("at_risk", "ytd", 171, 365)
    assert (year["first_day"], year["last_day"]) == ("2019-01-01", "2019-06-30")
    assert "97.46" in year["outlook"] and "仍可达标" in year["outlook"]  # (162 + 184) / (171 + 184)
    assert rows.loc[("air.annual.pm25", "2019"), "status"] == "on_track"  # so far within 35 ug/m3
    assert rows.loc[("air.annual.pm10", "2019"), "coverage"] == "ytd"
    january = rows.loc[("air.good_day_ratio", "2019-01")]
    assert january["coverage"] == "complete" and january["status"] in ("met", "missed")  # a month may be judged


@pytest.fixture
def first_half(warehouse, tmp_path, monkeypatch):
    """The acceptance warehouse: 2019-01-01 ... 06-30 of air, the demo's July water and source samples."""
    from pipeline.jobs import air, sources, water
    from pipeline.store.engine import sql
    from pipeline.store.load import db_rows
    from pipeline.windows import month_window

    with warehouse.begin() as conn:
        conn.execute(sql("dml/air_city_day/insert_air_city_day"), db_rows(half_year()))
    air.indicators(warehouse, 2019)
    water.run_period(warehouse, SAMPLE / "water", "manual", month_window(2019, 7), tmp_path / "w")
    for day in ("2019-07-12", "2019-07-20"):
        sources.run_day(warehouse, SAMPLE / "sources", dt.date.fromisoformat(day), tmp_path / "s")
    monkeypatch.setenv("QZ811_DB_URL", warehouse.url.render_as_string(hide_password=False))
    monkeypatch.setenv("QZ811_REPORT_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("QZ811_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.delenv("QZ811_SMTP_HOST", raising=False)
    return warehouse, tmp_path


JUDGED = (
    f"{STATUS_WORDS['met'][0]} {STATUS_WORDS['met'][1]}",
    f"{STATUS_WORDS['missed'][0]} {STATUS_WORDS['missed'][1]}",
)


def test_no_annual_verdict_from_the_first_half_of_2019(first_half, capsys):
    from pipeline.cli import main

    engine, folder = first_half
    assert main(["alerts", "--year", "2019", "--dry-run"]) == 0
    dry = capsys.readouterr().out
    assert main(["scoreboard", "--year", "2019"]) == 0
    board_text = capsys.readouterr().out
    assert main(["report", "--year", "2019"]) == 0
    capsys.readouterr()
    # The scoreboard: every computed target with a value is 1-N月累计, at risk or on track, never met/missed.
    board = pd.read_sql("SELECT * FROM v_scoreboard WHERE year = 2019", engine).set_index("target_id")
    valued = board[board["value"].notna()]
    assert len(valued) >= 10 and set(valued["coverage"]) == {"ytd"}
    assert set(valued["status"]) <= {"at_risk", "on_track", "no_data"}
    good = board.loc["air.good_day_ratio"]
    assert (good["status"], good["last_day"], good["n_valid"], good["n_expected"]) == (
        "at_risk",
        "2019-06-30",
        171,
        365,
    )
    assert round(good["value"], 2) == 94.74 and "1–6月累计" in good["note"] and "仍可达标" in good["note"]
    assert pd.isna(good["previous_value"])  # 2018 has no data: said so in words below
    for target in ("water.qiantang_compliance", "water.qiantang_class_iii"):  # "全年": all 12 months of 6 sections
        row = board.loc[target]
        assert (row["coverage"], row["n_valid"], row["n_expected"], row["status"]) == ("ytd", 6, 72, "at_risk")
    for target in ("emission.so2_total", "sources.key_steady", "air.annual_pm10"):
        assert board.loc[target, "coverage"] == "ytd" and board.loc[target, "status"] in (
            "at_risk",
            "on_track",
            "no_data",
        )
    # The views: no year judged met/missed.
    for view, where in (("v_air_annual_vs_grade_ii", "year = '2019'"), ("v_compliance_rates", "period = '2019'")):
        rows = pd.read_sql(f"SELECT status, coverage FROM {view} WHERE {where}", engine)
        assert len(rows) and set(rows["coverage"]) == {"ytd"} and not set(rows["status"]) & {"met", "missed"}, view
    # The scoreboard's text: the year so far, 同比 in words, no met/missed.
    assert "2019年1–6月累计（2019-01-01至2019-06-30，有效天 171/365）" in board_text
    assert "上年同期无数据" in board_text and not any(word in board_text for word in JUDGED)
    # The e-mails: 预警 on 1-N月累计, never a 通报 of the year.
    subjects = [line for line in dry.splitlines() if line.startswith("would send:")]
    assert any("城市空气质量达到二级标准天数比例：有未达标风险（2019年1–6月累计）" in s for s in subjects)
    assert all("【811规划预警】" in s and re.search(r"（2019年1–\d+月累计）", s) for s in subjects) and subjects
    assert not any("未达标（2019年）" in s or "通报" in s for s in subjects)
    # The report: the only met/missed badges are the legend's counts (0 each).
    page = (folder / "reports" / "report-2019.html").read_text(encoding="utf-8")
    for word in JUDGED:
        assert page.count(f"{word}</span>") == 1 and f"{word}</span> <b>0</b>" in page, word
    assert (
        "1–6月累计" in page and "断面·月 6/72" in page and "nan" not in re.sub(r"<img[^>]*>", "", page).lower().split()
    )


def test_the_notice_of_a_year_so_far_says_so(first_half):
    from pipeline.plan import alerts, scoreboard

    engine, folder = first_half
    scoreboard.compute(engine, 2019)
    alerts.plan_alerts(engine, 2019, dt.datetime(2019, 7, 3, tzinfo=dt.UTC))
    alerts.deliver(engine, None, folder / "outbox", dt.datetime(2019, 7, 3, tzinfo=dt.UTC))
    import email
    from email import policy

    notices = {}
    for path in (folder / "outbox").glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        notices[message["Subject"]] = message.get_body(("plain",)).get_content()
    air = next(text for subject, text in notices.items() if "天数比例" in subject)
    assert "2019年1–6月累计 94.74 %" in air and "全年数据不完整，不作全年达标判定" in air
    assert "有效天 171/365" in air and "仍可达标" in air
    assert "同比 Year on year：2018年同期（1–6月累计）无数据" in air
    for text in notices.values():
        assert "None" not in text and " nan" not in text and "未达标（2019年）" not in text
