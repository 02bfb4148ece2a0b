"""The analysts' views (sql/views/) and the example queries of docs/warehouse.md: every query runs on
SQLite and on PostgreSQL, returns rows on the sample data (unless marked ``may be empty``) and gives the
same answer on both; the views agree with the indicators the pipeline computed in Python."""

from __future__ import annotations

import datetime as dt
import decimal
import re

import pandas as pd
import pytest
import sqlalchemy as sa

from tests.conftest import REPO

GUIDE = REPO / "docs" / "warehouse.md"
VIEWS = sorted((REPO / "sql" / "views").glob("*.sql"))
BLOCK = re.compile(r"```sql\n(.*?)```\n(<!-- may be empty -->)?", re.S)


def guide_queries() -> list[tuple[str, bool]]:
    """(query, may_be_empty) for every ```sql block of the guide."""
    return [(m.group(1).strip().rstrip(";"), bool(m.group(2))) for m in BLOCK.finditer(GUIDE.read_text("utf-8"))]


QUERIES = guide_queries()


def normal(value):
    """A cell as comparable text across databases (dates, Decimals, booleans, float noise)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | float):
        return round(float(value), 9)
    return value


def rows(engine, query: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(normal(v) for v in row) for row in conn.execute(sa.text(query))]


def test_the_guide_has_queries_for_every_view():
    assert len(QUERIES) >= 12
    text = "\n".join(q for q, _ in QUERIES)
    for path in VIEWS:
        name = re.search(r"CREATE VIEW (\w+)", path.read_text("utf-8")).group(1)
        assert name in text, f"{name} has no example query in docs/warehouse.md"
        assert f"`{name}`" in GUIDE.read_text("utf-8"), f"{name} is not in the guide's table of views"


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: p.stem)
def test_each_view_states_its_grain(path):
    first, second = path.read_text("utf-8").splitlines()[:2]
    assert first.startswith(f"-- {path.stem.split('_', 1)[1]}: "), first
    assert "Grain: one row per" in first + second, (first, second)


@pytest.mark.parametrize("index", range(len(QUERIES)))
def test_guide_query_runs_on_sqlite(sample_sqlite, index):
    query, may_be_empty = QUERIES[index]
    result = rows(sample_sqlite, query)
    assert may_be_empty or result, f"no rows on the sample data:\n{query}"


@pytest.mark.parametrize("index", range(len(QUERIES)))
def test_guide_query_gives_the_same_answer_on_postgresql(sample_sqlite, sample_pg, index):
    query, _ = QUERIES[index]
    assert rows(sample_pg, query) == rows(sample_sqlite, query), query


def test_monthly_good_day_view_equals_the_computed_indicator(sample_sqlite):
    view = pd.read_sql("SELECT month, good_day_ratio_pct FROM v_air_city_month_good_days WHERE city = '衢州'",
                       sample_sqlite)  # fmt: skip
    computed = pd.read_sql(
        "SELECT period AS month, value FROM indicator WHERE indicator = 'air.good_day_ratio' AND period LIKE '%-%'",
        sample_sqlite,
    )
    both = view.merge(computed, on="month", validate="one_to_one")
    assert len(both) == len(view) > 0
    assert (both["good_day_ratio_pct"] - both["value"]).abs().max() < 1e-9


def test_water_view_counts_match_the_compliance_rate(sample_sqlite):
    """Qiantang main stream, July 2019: the share of its sections meeting target in the view equals the
    plan indicator water.qiantang_compliance the pipeline stored (83.3 % on the sample)."""
    sections = pd.read_sql(
        "SELECT meets_target FROM v_water_section_month WHERE month = '2019-07' AND kind = 'manual' "
        "AND is_qiantang_mainstream",
        sample_sqlite,
    )
    rate = pd.read_sql(
        "SELECT rate_pct FROM v_compliance_rates WHERE indicator = 'water.qiantang_compliance' AND period = '2019-07'",
        sample_sqlite,
    )["rate_pct"].item()
    assert len(sections) == 6
    assert 100.0 * sections["meets_target"].sum() / len(sections) == pytest.approx(rate, abs=0.05)  # stored to 0.1
    assert rate == 83.3


def test_exceedance_view_holds_the_sample_so2_event(sample_sqlite):
    """The sample's built-in event: QZS01 SO2 230 mg/m3 against 200 (GB 13223-2011 Table 1) on 2019-07-12."""
    event = pd.read_sql("SELECT * FROM v_source_exceedances WHERE outlet_code = 'QZS01' AND date = '2019-07-12'",
                        sample_sqlite)  # fmt: skip
    assert event["pollutant"].tolist() == ["so2"]
    assert event["limit_value"].item() == 200.0
    assert event["times_limit"].item() == pytest.approx(event["max_hour"].item() / 200.0)
    assert event["max_hour"].item() > 200.0


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_composite_view_selects_the_stored_rank_and_change(database, request):
    """Every figure computed once: the view shows the index of table indicator with the 同比 and rank that
    pipeline.indicators.ranking computed and stored in city_ranking (universe zhejiang_11). Hand-made: 衢州 3.40
    (2018) -> 3.06 (2019) is -10.0 %; 杭州 3.06 and 衢州 3.06 share rank 1, 金华 4.30 is 3rd; 丽水 (300 valid days)
    is not ranked; 义乌 is not one of the 11 and has no rank."""
    from pipeline.indicators.ranking import rank_universe
    from pipeline.store.engine import sql
    from pipeline.store.load import db_rows

    engine = request.getfixturevalue("warehouse" if database == "sqlite" else "pg_warehouse")
    if database == "postgresql":
        from pipeline.store.schema import init_db

        init_db(engine)
    base = {"indicator": "air.composite_index", "unit": "1", "comparator": "=", "target": None, "status": "measured",
            "data_complete": True, "n": 330, "detail": "", "edition": "环办监测〔2018〕19号", "first_day": None,
            "last_day": None, "n_valid": 330, "n_expected": 365, "coverage": "complete", "outlook": ""}  # fmt: skip
    index = {("衢州", "2018"): 3.40, ("衢州", "2019"): 3.06, ("杭州", "2019"): 3.06, ("金华", "2019"): 4.30,
             ("丽水", "2019"): 1.50, ("义乌", "2019"): 3.50}  # fmt: skip
    days = {"丽水": 300}

    def values(year):
        return pd.DataFrame([{"city": c, "period": p, "period_kind": "year", "composite_index": v, "pm25": 30.0,
                              "good_day_ratio": 90.0, "valid_days": days.get(c, 340), "days": 365}
                             for (c, p), v in index.items() if p == str(year)])  # fmt: skip

    zhejiang = ["杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水"]
    ranked = rank_universe(values(2019), zhejiang, values(2018)).assign(universe="zhejiang_11")
    with engine.begin() as conn:
        conn.execute(sql("dml/indicator/insert_indicator"),
                     [{**base, "scope": c, "period": p, "value": v} for (c, p), v in index.items()])  # fmt: skip
        conn.execute(
            sql("dml/city_ranking/insert_city_ranking"),
            db_rows(ranked.astype({"rank": "Int64", "change_rank": "Int64"})),
        )
    got = pd.read_sql(
        "SELECT scope, period, composite_index, previous_year_index, change_pct, rank_in_period, scopes_ranked "
        "FROM v_air_composite_index WHERE period = '2019'",
        engine,
    ).set_index("scope")
    assert got.loc["衢州", "previous_year_index"] == 3.40 and float(got.loc["衢州", "change_pct"]) == -10.0
    assert got["rank_in_period"].drop(["丽水", "义乌"]).to_dict() == {"杭州": 1, "衢州": 1, "金华": 3}
    assert pd.isna(got.loc["丽水", "rank_in_period"]) and pd.isna(got.loc["义乌", "rank_in_period"])
    assert (got["scopes_ranked"].drop("义乌") == 3).all() and pd.isna(got.loc["杭州", "change_pct"])
    stored = ranked[(ranked["indicator"] == "composite_index") & ranked["rank"].notna()].set_index("city")["rank"]
    assert got["rank_in_period"].dropna().astype(int).to_dict() == stored.astype(int).to_dict()


def test_postgresql_views_and_their_columns_carry_chinese_comments(sample_pg):
    """What psql's \\dv+ / \\d+ and DBeaver show: every view and every one of its columns described, Chinese first."""
    with sample_pg.connect() as conn:
        views = conn.execute(sa.text(
            "SELECT c.relname, obj_description(c.oid, 'pg_class') FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'v' AND n.nspname = current_schema()"
        )).all()  # fmt: skip
        columns = conn.execute(sa.text(
            "SELECT c.relname, a.attname, col_description(c.oid, a.attnum) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid "
            "WHERE c.relkind = 'v' AND n.nspname = current_schema() AND a.attnum > 0 AND NOT a.attisdropped"
        )).all()  # fmt: skip
    assert len(views) == len(VIEWS)
    comments = dict(views)
    assert comments["v_scoreboard"].startswith(
        "规划目标完成情况 — the 811 plan scoreboard. the 811 plan scoreboard (目标完成情况)"
    )
    assert all(re.match(r"^[\u4e00-\u9fff]", text or "") for text in comments.values()), comments
    missing = [(v, c) for v, c, text in columns if not text]
    assert not missing and len(columns) > 80
    assert ("v_air_composite_index", "change_pct", "同比变化(%) — change against a year before (%)") in columns


def test_the_chinese_guide_has_the_same_queries_and_every_view():
    """docs/warehouse.zh.md: the same (tested) queries, in the same order, and a line for every view."""
    chinese = (REPO / "docs" / "warehouse.zh.md").read_text("utf-8")
    assert [m.group(1) for m in BLOCK.finditer(chinese)] == [
        m.group(1) for m in BLOCK.finditer(GUIDE.read_text("utf-8"))
    ]
    for path in VIEWS:
        name = re.search(r"CREATE VIEW (\w+)", path.read_text("utf-8")).group(1)
        assert f"| `{name}` |" in chinese, name
    assert chinese.startswith("# qz811 数据仓库：分析人员指南")
