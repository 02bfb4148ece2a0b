"""Issue 25 on the demo's real 2019 (Zhejiang's 76 stations): the rankings the air job stores, what `ranking`
prints, the report's ranking chart and its 12 month reports (月报). The ranking rules themselves are tested on
hand-computed cases in tests/indicators/test_ranking.py."""

from __future__ import annotations

import html
import re

import pandas as pd
import sqlalchemy as sa

ZHEJIANG_11 = ["杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水"]


def stored(folder, query: str, **params) -> pd.DataFrame:
    engine = sa.create_engine(f"sqlite:///{folder / 'warehouse.db'}")
    try:
        with engine.connect() as conn:
            return pd.read_sql(sa.text(query), conn, params=params)
    finally:
        engine.dispose()


def test_the_demo_prints_quzhous_2019_rank_among_the_11_as_stored(demo):
    """Acceptance 1: `make demo` prints 衢州's 2019 rank among Zhejiang's 11 by composite index; the printed rank,
    value and count are the stored ones, and the ranking is competition ranking of the published values."""
    folder, printed = demo
    text = printed["ranking --year"]
    year = stored(folder, "SELECT city, value, rank, n_ranked, valid_days, note FROM v_city_ranking "
                          "WHERE universe = 'zhejiang_11' AND period = '2019' AND indicator = 'composite_index'")  # fmt: skip
    assert sorted(year["city"]) == sorted(ZHEJIANG_11)
    mine = year.set_index("city").loc["衢州"]
    said = re.search(r"衢州2019年综合指数(\d+\.\d\d)，在11个城市中排名第(\d+)（参与排名(\d+)个）", text)
    assert said, text
    assert (float(said.group(1)), int(said.group(2)), int(said.group(3))) == (
        round(float(mine["value"]), 2), int(mine["rank"]), int(mine["n_ranked"]))  # fmt: skip
    ranked = year.dropna(subset=["rank"])
    expected = ranked["value"].rank(method="min").astype(int)
    assert ranked["rank"].astype(int).tolist() == expected.tolist()
    # every city below the rule is listed, unranked, with its reason, in the table printed
    for row in year[year["rank"].isna()].itertuples():
        assert "不参与排名" in row.note and row.city in text


def test_every_month_and_1_to_n_month_is_ranked_in_both_universes(demo):
    folder, _ = demo
    periods = stored(folder, "SELECT universe, period_kind, COUNT(DISTINCT period) AS n FROM city_ranking "
                             "WHERE period LIKE '2019%' GROUP BY universe, period_kind")  # fmt: skip
    got = {(r.universe, r.period_kind): r.n for r in periods.itertuples()}
    assert got == {(u, k): n for u in ("mee_168", "zhejiang_11") for k, n in (("month", 12), ("ytd", 10), ("year", 1))}
    # the 168: Zhejiang's files have no city of another province, each listed unranked with the reason
    mee = stored(folder, "SELECT city, rank, note FROM v_city_ranking WHERE universe = 'mee_168' AND period = '2019' "
                         "AND indicator = 'composite_index'")  # fmt: skip
    assert len(mee) == 168
    assert mee["rank"].notna().sum() <= 11
    assert (mee.loc[~mee["city"].isin(ZHEJIANG_11), "note"].str.startswith("无监测数据")).all()


def test_the_composite_view_shows_the_stored_rank_and_change(demo):
    """Computed once: v_air_composite_index's rank and 同比 are city_ranking's (zhejiang_11)."""
    folder, _ = demo
    both = stored(folder, "SELECT v.scope, v.period, v.rank_in_period, r.rank FROM v_air_composite_index v "
                          "JOIN city_ranking r ON r.city = v.scope AND r.period = v.period "
                          "AND r.universe = 'zhejiang_11' AND r.indicator = 'composite_index'")  # fmt: skip
    assert len(both) == 11 * 13
    assert both["rank_in_period"].fillna(-1).tolist() == both["rank"].fillna(-1).tolist()


def test_the_report_has_the_ranking_chart_and_twelve_month_reports(demo):
    folder, _ = demo
    reports = folder / "reports"
    page = (reports / "report-2019.html").read_text(encoding="utf-8")
    assert "城市排名与月报" in page
    assert re.search(r'<img[^>]+alt="[^"]*衢州2019年逐月综合指数排名', page), "the month-by-month ranking chart"
    for month in range(1, 13):
        name = f"report-2019-{month:02d}.html"
        assert f'href="{name}"' in page, name
        month_page = (reports / name).read_text(encoding="utf-8")
        visible = html.unescape(
            re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", month_page, flags=re.S))
        )
        assert f"2019年{month}月" in visible and "空气质量类别天数" in visible and "城市排名" in visible, name
        assert not re.search(r"\b(nan|NaN|None|NaT|o3_8h|o3_1h|pm25)\b", visible), name
        assert 'href="report-2019.html"' in month_page


def test_the_month_report_has_the_month_and_1_to_n_months_and_exports_its_tables(demo, tmp_path, monkeypatch):
    """A month report (月报) as the bureaus publish it: the month and 1–N月累计 side by side, with 同比; its
    tables are the analysts' workbook (`export month`), the same figures."""
    import openpyxl

    from pipeline.cli import main

    folder, _ = demo
    page = (folder / "reports" / "report-2019-08.html").read_text(encoding="utf-8")
    visible = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)))
    assert "1–8月累计优良天数比例为" in visible and "1–8月累计 Jan–08" in visible
    monkeypatch.setenv("QZ811_DB_URL", f"sqlite:///{folder / 'warehouse.db'}")
    out = tmp_path / "month.xlsx"
    assert main(["export", "month", "--year", "2019", "--month", "8", "-o", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["类别天数 categories", "六项污染物 pollutants", "首要污染物 primary", "最重的日子 worst days",
                               "城市排名 ranking", "地表水 water"]  # fmt: skip
    rows = list(book["类别天数 categories"].iter_rows(values_only=True))
    counts = [r for r in rows[1:] if not str(r[0]).startswith("优良天数比例")]
    assert sum(r[1] for r in counts) == 31 and sum(r[2] for r in counts) == 243  # August; January to August
    ratio = next(r for r in rows if str(r[0]).startswith("优良天数比例"))
    assert f"优良天数比例为{ratio[1]:.1f}%" in visible and f"1–8月累计优良天数比例为{ratio[2]:.1f}%" in visible
    ranked = list(book["城市排名 ranking"].iter_rows(values_only=True))
    stored = stored_rank = None
    for r in ranked[1:]:
        if r[0] == "8月 month" and r[1] == "浙江11市" and r[2] == "综合指数":
            stored, stored_rank = r[3], r[4]
    assert stored is not None and f"综合指数{stored:.2f}，在全省11个设区市中排名第{stored_rank}" in visible
