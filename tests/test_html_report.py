"""The analyst report: HJ 633-2012 colours, "no data" sections, escaping, and the page in a real browser."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from pipeline.reports import charts as report_charts
from pipeline.reports import html as html_report
from tests.conftest import REPO, pg_database, run_whole_sample

CHROMIUM = Path("/usr/bin/chromium")
HOSTILE = "Evil \"Co\" <img src=x onerror=alert(1)> & 'Sons'"
HEADINGS = ["City ranking and month reports", "811 plan scoreboard", "Daily city AQI calendar", "Monthly good-air-day ratio",
            "Annual concentrations vs Grade II", "Composite index and ranking", "Station calendars and time profiles",
            "Water sections: monthly class",
            "Source exceedances"]  # fmt: skip

# HJ 633-2012, Table 2: category colours (R,G,B) 优 (0,228,0), 良 (255,255,0), 轻度污染 (255,126,0),
# 中度污染 (255,0,0), 重度污染 (153,0,76), 严重污染 (126,0,35); grey is this report's "no data".
TABLE2_COLOURS = {"优": "#00e400", "良": "#ffff00", "轻度污染": "#ff7e00", "中度污染": "#ff0000",
                  "重度污染": "#99004c", "严重污染": "#7e0023"}  # fmt: skip


@pytest.mark.parametrize(
    "aqi, category",
    [(0, "优"), (50, "优"), (51, "良"), (100, "良"), (101, "轻度污染"), (150, "轻度污染"), (151, "中度污染"),
     (200, "中度污染"), (201, "重度污染"), (300, "重度污染"), (301, "严重污染"), (500, "严重污染")],
)  # fmt: skip
def test_calendar_colour_is_the_hj633_table2_colour_of_the_category(aqi, category):
    assert report_charts.aqi_colour(aqi) == TABLE2_COLOURS[category]


@pytest.mark.parametrize("aqi", [None, np.nan])
def test_missing_aqi_is_grey(aqi):
    assert report_charts.aqi_colour(aqi) == report_charts.NO_DATA_COLOUR


def test_calendar_cells_have_the_colour_of_their_day():
    days = pd.DataFrame({"date": ["2019-02-10", "2019-07-01", "2019-07-02", "2019-12-31", "2019-03-05"],
                         "aqi": [26, 101, 301, 51, None], "valid_day": [1, 0, 1, True, 0]})  # fmt: skip
    figure = report_charts.calendar_figure(days, 2019)
    grid = figure.axes[0].images[0].get_array()

    def hex_at(month, day):
        return "#" + "".join(f"{round(v * 255):02x}" for v in grid[month - 1, day - 1])

    assert hex_at(2, 10) == TABLE2_COLOURS["优"] and hex_at(12, 31) == TABLE2_COLOURS["良"]
    assert hex_at(7, 1) == TABLE2_COLOURS["轻度污染"] and hex_at(7, 2) == TABLE2_COLOURS["严重污染"]
    assert hex_at(3, 5) == hex_at(8, 8) == report_charts.NO_DATA_COLOUR  # NULL AQI and no row: grey
    assert hex_at(2, 29) == hex_at(4, 31) == "#ffffff"  # no such date
    texts = {t.get_text() for t in figure.axes[0].texts}
    assert {"26", "101*", "301", "51"} <= texts  # * marks a day not valid for the good-day ratio
    assert report_charts.png(figure).startswith(b"\x89PNG")


def test_plot_text_is_safe_for_matplotlib():
    assert report_charts.plot_text("a$b$", cjk=False) == r"a\$b\$"
    assert report_charts.plot_text("QZW01 衢江", cjk=False) == "QZW01 ??"
    assert report_charts.plot_text("衢江", cjk=True) == "衢江"
    assert report_charts.plot_text(None, cjk=False) == ""


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # DejaVu stands in for the CJK font
def test_charts_with_a_cjk_font_draw_the_chinese_names(monkeypatch):
    monkeypatch.setattr(report_charts, "cjk_font", lambda: "DejaVu Sans")  # as if one were installed
    data = hostile_data()
    for figure in (report_charts.water_figure(data.water_months), report_charts.exceedance_figure(data.exceedances)):
        labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
        assert any("Evil" in label for label in labels)
        assert report_charts.png(figure).startswith(b"\x89PNG")
    assert report_charts.class_label(6, cjk=True) == "劣V" and report_charts.class_label(6, cjk=False) == "V+"


def test_water_grid_prefers_the_lab_sample_to_the_automatic_station():
    rows = pd.DataFrame({"section_code": ["A", "A", "B"], "month": ["2019-07"] * 3, "kind": ["auto", "manual", "auto"],
                         "water_class": [4, 2, 3]})  # fmt: skip
    grid = report_charts.water_grid(rows)
    assert grid[["section_code", "kind", "water_class", "month_number"]].values.tolist() == [
        ["A", "manual", 2, 7], ["B", "auto", 3, 7]]  # fmt: skip


def empty_data() -> html_report.ReportData:
    """No rows at all (not even columns): every section must still render."""
    return html_report.ReportData(*(pd.DataFrame() for _ in html_report.QUERIES))


class Page(HTMLParser):
    """Headings, images, the image-check marker, and whether every non-void tag is closed."""

    VOID = {"meta", "img", "br", "link", "input", "hr"}

    def __init__(self, text: str):
        super().__init__()
        self.h2, self.images, self.check, self.stack, self.errors, self._in_h2 = [], [], None, [], [], False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        if tag == "div" and attrs.get("id") == "img-check":
            self.check = attrs
        if tag == "h2":
            self.h2.append("")
            self._in_h2 = True
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)

    def handle_data(self, data):
        if self._in_h2:
            self.h2[-1] += data


def test_empty_year_gives_a_valid_page_with_no_data_everywhere():
    page = html_report.render_page(empty_data(), 2031, "衢州", dt.datetime(2031, 1, 1, tzinfo=dt.UTC))
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page and '<meta charset="utf-8">' in page
    assert page.count(html_report.no_data_html(2031)) == len(html_report.SECTIONS) == 9
    assert html_report.no_data_html(2031) == '<p class="no-data">无数据 No data for 2031</p>'
    parsed = Page(page)
    assert not parsed.errors and parsed.stack == [] and parsed.images == []
    assert all(any(h in text for text in parsed.h2) for h in HEADINGS)


def hostile_data() -> html_report.ReportData:
    data = empty_data()
    board = pd.DataFrame([{"target_id": "x<1>", "section": "二(一)", "indicator_zh": HOSTILE, "indicator_en": HOSTILE,
                           "comparator": ">=", "goal": 95.0, "value": 96.0, "unit": "<%>", "kind": "absolute",
                           "deadline": 2015, "status": "met", "note": HOSTILE, "basis": ""}])  # fmt: skip
    water = pd.DataFrame([{"section_code": "Q<1>", "name_zh": HOSTILE, "river_zh": HOSTILE, "county_zh": "&",
                           "drinking_source_level": None, "month": "2019-07", "kind": "manual", "n_samples": 1,
                           "water_class": 4, "water_class_name": "IV", "target_class": 3, "meets_target": 0,
                           "limiting_items": "nh3n"}])  # fmt: skip
    sources = pd.DataFrame([{"outlet_code": "S$1$", "enterprise_zh": HOSTILE, "outlet_zh": HOSTILE, "county_zh": "<",
                             "pollutant": "nh3n", "unit": "mg/L", "standard": HOSTILE, "basis": "daily",
                             "exceed_days": 2, "exceed_hours": 0, "max_times_limit": 1.5, "first_date": "2019-07-01",
                             "last_date": "2019-07-02"}])  # fmt: skip
    return html_report.ReportData(**{**data.__dict__, "scoreboard": board, "water_months": water,
                                     "exceedances": sources})  # fmt: skip


def test_text_from_the_database_is_escaped():
    page = html_report.render_page(hostile_data(), 2019, '衢"<州>', dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert "<img src=x" not in page and "<州>" not in page and "x<1>" not in page and "<%>" not in page
    assert html_report.esc(HOSTILE) in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&quot;Co&quot;" in page and "&amp; &#x27;Sons&#x27;" in page
    parsed = Page(page)
    assert not parsed.errors and len(parsed.images) == 2  # the water and the sources charts only
    assert all(i["src"].startswith("data:image/png;base64,") for i in parsed.images)


def populate(engine, staging: Path) -> None:
    """The bundled samples' 2019: four air days, July's water samples, source days, statistics, scoreboard."""
    run_whole_sample(engine, staging, air_days=("2019-02-10", "2019-02-11", "2019-07-01", "2019-07-02"),
                     source_days=("2019-07-12", "2019-07-18"))  # fmt: skip


def chromium() -> Path:
    """Debian's Chromium; skipped when absent, except in CI (``scripts/ensure-chromium`` installs it)."""
    if not CHROMIUM.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must run the browser test (scripts/ensure-chromium installs it)")
        pytest.skip(f"no {CHROMIUM}: `scripts/ensure-chromium` (as root) installs Debian's chromium")
    return CHROMIUM


def browser_dom(page: Path, tmp_path: Path) -> str:
    """The page's DOM after load, as headless Chromium renders it (no network, throw-away profile)."""
    command = [str(chromium()), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / 'chromium-profile'}", "--virtual-time-budget=5000", "--dump-dom",
               page.resolve().as_uri()]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def run_report(db_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QZ811_DB_URL": db_url}
    return subprocess.run([sys.executable, "-m", "pipeline", "report", *args], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=300)  # fmt: skip


def test_report_cli_page_loads_in_chromium_with_every_image(warehouse, tmp_path):
    populate(warehouse, tmp_path / "staging")
    with warehouse.begin() as conn:  # names as hostile as a registry could hold
        conn.execute(sa.text("UPDATE water_section SET name_zh = :n WHERE section_code = 'QZW05'"), {"n": HOSTILE})
        conn.execute(sa.text("UPDATE source_outlet SET enterprise_zh = :n WHERE outlet_code = 'QZS01'"), {"n": HOSTILE})
    output = tmp_path / "out" / "report.html"
    result = run_report(str(warehouse.url), "--year", "2019", "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(output) and output.is_file()
    text = output.read_text(encoding="utf-8")
    assert "No data for 2019" not in text  # every section has 2019 data in the sample
    assert "&lt;img src=x onerror=alert(1)&gt;" in text and "<img src=x" not in text
    assert "HJ 633-2012 Table 2" in text and "GB 3095-2012" in text and "GB 3838-2002" in text

    dom = Page(browser_dom(output, tmp_path))
    assert dom.check is not None, "the page's load handler did not run"
    assert int(dom.check["data-total"]) == len(dom.images) == 12  # no injected <img>
    assert int(dom.check["data-loaded"]) == 12  # every image decoded (naturalWidth > 0)
    for heading in HEADINGS:
        assert any(heading in h for h in dom.h2), heading


def test_report_of_an_empty_year_is_a_valid_page_in_chromium(warehouse, tmp_path):
    output = tmp_path / "report-2031.html"
    result = run_report(str(warehouse.url), "--year", "2031", "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert output.read_text(encoding="utf-8").count("无数据 No data for 2031") == 9
    dom = Page(browser_dom(output, tmp_path))
    assert dom.check is not None and dom.check["data-loaded"] == dom.check["data-total"] == "0"
    for heading in HEADINGS:
        assert any(heading in h for h in dom.h2), heading


def test_report_queries_run_on_postgresql(tmp_path):
    engine, drop = pg_database()
    try:
        populate(engine, tmp_path / "staging")
        data = html_report.read_report_data(engine, 2019, "衢州")
        assert len(data.air_days) == 4 and len(data.air_months) == 2 and len(data.air_annual) == 6
        assert len(data.scoreboard) == 76 and len(data.water_months) == 19 and len(data.exceedances) == 2
        assert {"water", "sources"} <= set(data.compliance["domain"])
        page = html_report.render_page(data, 2019, "衢州", dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        assert "No data for 2019" not in page and page.count("<img ") == 12
        assert html_report.read_report_data(engine, 2031, "衢州").scoreboard.empty
    finally:
        drop()


def test_days_without_their_own_file_are_named_missing_in_the_source():
    import datetime as dt

    from pipeline.reports.html import days_without_own_file

    batches = pd.DataFrame(
        {
            "window_start": [
                "2019-04-07 01:00:00",
                "2019-04-08 01:00:00",
                "2019-04-09 01:00:00",
                "2019-04-11 01:00:00",
            ],
            "source_files": [
                "china_sites_20190407.csv.gz",  # its next day's file is missing: still its own
                "china_sites_20190409.csv.gz",  # only 24:00, from the next day's file
                "china_sites_20190409.csv.gz;china_sites_20190410.csv.gz",
                "2019-04-11_long.csv",
            ],
        }
    )
    missing = days_without_own_file(batches, 2019)
    # 04-08 read only the next day's file, 04-10 has no batch at all, and nothing after the last day loaded
    assert dt.date(2019, 4, 8) in missing and dt.date(2019, 4, 10) in missing
    assert (
        dt.date(2019, 4, 7) not in missing
        and dt.date(2019, 4, 11) not in missing
        and max(missing) < dt.date(2019, 4, 11)
    )
