"""The report's charts are Chinese first (issue 15, part 1): the CJK font comes with the set-up (the pinned
``noto-cjk-sans-otc`` package), every chart of the sample year draws Chinese text, and no glyph is missing
(matplotlib's missing-glyph warning fails the test)."""

from __future__ import annotations

import re
import warnings

import pytest

from pipeline.reports import charts
from pipeline.reports import html as html_report

CJK = re.compile(r"[\u4e00-\u9fff]")


def texts(figure) -> list[str]:
    """Every piece of text matplotlib drew on the figure (after :func:`charts.png`): tick labels, axis labels,
    legends, annotations."""
    return [t.get_text() for t in figure.findobj(lambda a: hasattr(a, "get_text")) if t.get_text().strip()]


def test_the_font_comes_with_the_set_up():
    assert charts.cjk_font() == "Noto Sans CJK SC"


def test_every_chart_of_the_sample_year_is_chinese_first_with_no_glyph_missing(sample_sqlite, caplog):
    data = html_report.read_report_data(sample_sqlite, 2019, "衢州")
    figures = {
        "calendar": charts.calendar_figure(data.air_days, 2019),
        "good days": charts.good_days_figure(data.air_months, 2019),
        "annual": charts.annual_figure(data.air_annual),
        "water": charts.water_figure(data.water_months),
        "exceedances": charts.exceedance_figure(data.exceedances),
        "composite": charts.composite_figure(data.composite[data.composite["period_kind"] == "month"], 2019),
        "station calendar": charts.calendar_figure(
            data.station_days[data.station_days["station_code"] == "1264A"], 2019
        ),
        "profiles": charts.profiles_figure(data.station_hours, 2019),
    }
    expected = {"calendar": ["优 Excellent 0-50", "1月", "无数据 No data"], "good days": ["优良天数比例", "811规划目标"],
                "annual": ["二级浓度限值", "PM2.5 年平均 annual mean"], "water": ["1月", "劣于目标 worse than target"],
                "exceedances": ["超过排放限值的天数"], "composite": ["综合指数", "7月", "2019年"],
                "station calendar": ["优 Excellent 0-50", "7月"], "profiles": ["小时变化", "周一", "臭氧", "PM2.5二级年均限值"]}  # fmt: skip
    for name, figure in figures.items():
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=".*missing from font")
            png = charts.png(figure)
        assert png.startswith(b"\x89PNG")
        drawn = texts(figure)
        assert any(CJK.search(t) for t in drawn), (name, drawn)
        for words in expected[name]:
            assert any(words in t for t in drawn), (name, words, drawn)
        assert not [t for t in drawn if re.search(r"\bnan\b|\bNone\b", t)], (name, drawn)
    assert not [r.getMessage() for r in caplog.records if r.name.startswith("matplotlib")]  # e.g. no missing weight


def test_a_missing_glyph_would_fail(monkeypatch):
    """The check above can fail: with a Latin-only font, Chinese text raises the warning it turns into an error."""
    monkeypatch.setattr(charts, "cjk_font", lambda: "DejaVu Sans")
    figure = charts._figure(2, 1)
    figure.subplots().set_title("衢州")
    with warnings.catch_warnings(), pytest.raises(UserWarning, match="missing from font"):
        warnings.filterwarnings("error", message=".*missing from font")
        charts.png(figure)
