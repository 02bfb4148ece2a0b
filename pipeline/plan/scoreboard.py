"""The 811 scoreboard: every plan target, its value for a year, and its status.

The registry (``data/reference/plan_targets_811.csv``) says for each target how it is measured: a
computed indicator of the warehouse (``indicator`` table, scope 衢州) or an annual statistic a department
supplies (``annual_statistic``). Kinds of comparison: ``absolute`` (value vs target), ``relative_change``
(% change against the baseline year's value), ``vs_previous_year`` (against last year's value) and
``vs_supplied_cap`` (against a cap supplied as the statistic ``<id>.cap``) and ``limit_in_force``
(value vs the standard's limit in force for the year, stored with the computed indicator: the plan's
"年均浓度值达到或优于二级标准" means GB 3095-2012 Grade II to 2025, the GB 3095-2026 transition limits for
2026-2030 and its final limits from 2031; the registry's value is the 2012 limit, for reference).
Computed air targets carry the edition of the standards behind their value (``edition``).

Status for a year: ``no_data`` without a value; a computed value whose year is not complete (its indicator's
``coverage`` is ``ytd``, :mod:`pipeline.indicators.coverage`) is never ``met`` or ``missed``: it is the year so far
(1-N月累计), ``at_risk`` or ``on_track`` by :func:`ytd` (the indicator's own judgement when the goal is its goal;
else the value so far against the goal, a cap or baseline pro-rated by days, or the same period a year before).
A complete year: at or after the deadline ``met`` or ``missed``; before it ``met`` when the trend
(:mod:`pipeline.indicators.trend`) reaches the target by the deadline, else ``at_risk``. Each row carries its
coverage (``coverage``, ``first_day``, ``last_day``, ``n_valid``, ``n_expected``) and ``previous_value``: the same
period a year before (:mod:`pipeline.plan.same_period`), or the previous year's value for a complete year.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Engine

from pipeline.indicators.coverage import days_to_date, period_days, prorated
from pipeline.indicators.trend import project
from pipeline.plan.registry import meets, ytd_months, ytd_outlook
from pipeline.plan.same_period import same_period_values
from pipeline.store.engine import replacing, sql


def evaluate(target: dict, year: int, series: dict[int, float], cap: float | None = None) -> dict:
    """One target in one year. Pure.

    series: the target's measured values by year (the indicator or statistic); cap: the supplied cap
    for ``vs_supplied_cap``. Returns ``value`` (what is compared: the value, or the % change for
    ``relative_change``), ``goal``, ``status`` and ``note``.
    """
    kind, comparator = target["kind"], target["comparator"]
    current = series.get(year)
    deadline = target["deadline"] or year
    if current is None or pd.isna(current):
        return {
            "value": None,
            "goal": target["value"],
            "status": "no_data",
            "note": f"{year}年无数值 no value for {year}",
        }

    def compared(v: float) -> float | None:
        if kind == "relative_change":
            base = series.get(target["baseline_year"])
            return None if base in (None, 0) or pd.isna(base) else 100.0 * (v - base) / base
        return v

    if kind == "absolute" or kind == "relative_change":
        goal = target["value"]
    elif kind == "vs_previous_year":
        goal = series.get(year - 1)
    else:  # vs_supplied_cap, limit_in_force: the goal comes with the year's data
        goal = cap
    value = compared(current)
    if value is None or goal is None or pd.isna(goal):
        missing = {"relative_change": ("基准年", "baseline"), "vs_previous_year": ("上年", "previous year"),
                   "limit_in_force": ("限值", "limit")}.get(kind, ("上限", "cap"))  # fmt: skip
        return {"value": value, "goal": goal, "status": "no_data", "note": f"无{missing[0]}数值 no {missing[1]} value"}
    if year >= deadline:
        status = "met" if meets(value, comparator, goal) else "missed"
        return {"value": value, "goal": goal, "status": status, "note": f"{deadline}年到期 due {deadline}"}
    years = sorted(y for y in series if y <= year and not pd.isna(series[y]))
    projected = compared(project(years, [series[y] for y in years], deadline))
    on_track = projected is not None and meets(projected, comparator, goal)
    note = (
        f"{deadline}年到期，按{len(years)}年线性趋势{deadline}年预计 {projected:.4g} "
        f"(due {deadline}; linear trend of {len(years)} year(s) gives {projected:.4g} in {deadline})"
    )
    return {"value": value, "goal": goal, "status": "met" if on_track else "at_risk", "note": note}


COVERAGE = ("coverage", "first_day", "last_day", "n_valid", "n_expected")
"""The coverage fields a scoreboard row takes from its computed indicator's row of the year."""


def _same(a, b) -> bool:
    return a is not None and b is not None and not pd.isna(a) and not pd.isna(b) and float(a) == float(b)


def ytd(target: dict, year: int, row: dict, base=None, cap=None, previous=None) -> dict:
    """A year so far (``row``: the computed indicator's stored row, ``coverage`` ``ytd``). Pure. Never ``met`` or
    ``missed``: the indicator's own ``at_risk``/``on_track`` (its ``outlook``) when the target's goal is the
    indicator's; else the value so far against the goal (``absolute``), against the cap pro-rated by the days to
    the last day with data (``vs_supplied_cap``), the % change against the baseline pro-rated the same way
    (``relative_change``), or against ``previous``, the same period a year before (``vs_previous_year``)."""
    kind, comparator, value, last = target["kind"], target["comparator"], row["value"], row["last_day"]
    months = ytd_months(last)
    head = f"{year}年{months}，全年数据不完整，不作全年达标判定 (year to date: not judged for the year)"
    if kind == "limit_in_force" or (kind == "absolute" and row["comparator"] == comparator
                                    and _same(row["target"], target["value"])):  # fmt: skip
        return {"value": value, "goal": row["target"], "status": row["status"], "note": f"{head}；{row['outlook']}"}
    share = days_to_date(year, str(last)) / period_days(str(year)) if last else None
    compared, goal = value, target["value"]
    if kind == "vs_supplied_cap":
        goal = cap
    elif kind == "vs_previous_year":
        goal = previous
    elif kind == "relative_change":
        ok = base is not None and not pd.isna(base) and base != 0 and share
        compared = 100.0 * (value - base * share) / (base * share) if ok else None
    against = prorated(goal, days_to_date(year, str(last)), period_days(str(year))) if (
        kind == "vs_supplied_cap" and goal is not None and not pd.isna(goal) and share) else goal  # fmt: skip
    if compared is None or against is None or pd.isna(against):
        missing = {"relative_change": "基准年数值 baseline value", "vs_previous_year": "上年同期数值 value a year before",
                   "vs_supplied_cap": "上限 cap"}.get(kind, "目标 goal")  # fmt: skip
        return {"value": compared, "goal": goal, "status": "no_data", "note": f"{head}；无{missing}"}
    status, note = ytd_outlook(compared, comparator, against)
    extra = (
        f"；上限按{days_to_date(year, str(last))}天折算 cap pro-rated by days: {against:.4g}" if against != goal else ""
    )
    if kind == "relative_change":
        extra = f"；基准按{days_to_date(year, str(last))}天折算 baseline pro-rated by days"
    return {"value": compared, "goal": goal, "status": status, "note": f"{head}；{months}：{note}{extra}"}


def series_for(target: dict, indicators: pd.DataFrame, statistics: pd.DataFrame) -> dict[int, float]:
    """The target's yearly values from the warehouse's indicators (computed) or statistics."""
    supplied = statistics[statistics["indicator_id"] == target["id"]]
    series = {int(y): v for y, v in zip(supplied["year"], supplied["value"], strict=True)}
    if target["measured_by"] == "computed" and target["source_indicator"]:
        # Computed years win; a department may supply the years the warehouse lacks (e.g. a baseline).
        rows = indicators[
            (indicators["indicator"] == target["source_indicator"]) & (indicators["period"].str.len() == 4)
        ]
        rows = rows[rows["scope"] == "衢州"]
        series |= {int(p): v for p, v in zip(rows["period"], rows["value"], strict=True)}
    return series


def _year_rows(target: dict, indicators: pd.DataFrame, year: int) -> pd.DataFrame:
    """The computed indicator's row(s) of ``year`` for the city (scope 衢州)."""
    if target["measured_by"] != "computed" or not target["source_indicator"]:
        return indicators.iloc[0:0]
    return indicators[
        (indicators["indicator"] == target["source_indicator"])
        & (indicators["period"] == str(year))
        & (indicators["scope"] == "衢州")
    ]


def scoreboard_rows(
    registry: pd.DataFrame,
    indicators: pd.DataFrame,
    statistics: pd.DataFrame,
    year: int,
    previous_values: dict | None = None,
) -> pd.DataFrame:
    """Every target evaluated for ``year``. Pure. previous_values: {indicator: the same period a year before} of
    the computed indicators whose year is not complete (:func:`pipeline.plan.same_period.same_period_values`)."""
    rows = []
    for target in registry.to_dict("records"):
        series = series_for(target, indicators, statistics)
        computed = _year_rows(target, indicators, year)
        if target["kind"] == "limit_in_force":
            cap = float(computed["target"].iloc[0]) if len(computed) and pd.notna(computed["target"].iloc[0]) else None
        else:
            caps = statistics[(statistics["indicator_id"] == f"{target['id']}.cap") & (statistics["year"] == year)]
            cap = float(caps["value"].iloc[0]) if len(caps) else None
        year_row = computed.iloc[0].to_dict() if len(computed) else None
        previous = (previous_values or {}).get(target["source_indicator"]) if year_row else None
        if year_row is not None and year_row.get("coverage") == "ytd" and year_row["value"] is not None \
                and not pd.isna(year_row["value"]):  # fmt: skip
            result = ytd(target, year, year_row, series.get(target["baseline_year"]), cap, previous)
        elif year_row is not None and year_row.get("coverage") == "partial":  # the year is over, its data short
            result = evaluate(target, year, series, cap)  # the value and goal as compared, but no verdict
            if result["status"] != "no_data":
                result |= {"status": "unjudged",
                           "note": "数据不完整，不作年度达标评价，数值仅供参考 incomplete year: not judged, value for reference"}  # fmt: skip
            previous = series.get(year - 1)
        else:
            result = evaluate(target, year, series, cap)
            previous = series.get(year - 1)
        basis = f"indicator {target['source_indicator']}" if target["measured_by"] == "computed" else "annual statistic"
        edition = str(computed["edition"].iloc[0]) if len(computed) and "edition" in computed else ""
        cover = {c: (year_row or {}).get(c) for c in COVERAGE}
        if year_row is None and result["value"] is not None:  # a supplied statistic: the year's own figure
            cover["coverage"] = "complete"
        cover["coverage"] = cover["coverage"] or ""
        rows.append({"target_id": target["id"], "year": year, **result, "basis": basis, "edition": edition, **cover,
                     "previous_value": None if previous is None or pd.isna(previous) else float(previous)})  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["value"] = frame["value"].astype(float)
    frame["goal"] = frame["goal"].astype(float)
    return frame


def measured(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(indicators, statistics): every stored indicator row and supplied statistic, typed when empty."""
    with engine.connect() as conn:
        indicators = pd.DataFrame(
            conn.execute(sql("dml/indicator/select_indicators"), {"year": None, "months": "-"}).mappings().all()
        )
        statistics = pd.DataFrame(conn.execute(sql("dml/annual_statistic/select_annual_statistics")).mappings().all())
    if indicators.empty:
        indicators = pd.DataFrame(columns=["indicator", "scope", "period", "value", "target", "edition", "coverage",
                                           "first_day", "last_day", "n_valid", "n_expected", "outlook"])  # fmt: skip
    if statistics.empty:
        statistics = pd.DataFrame(columns=["indicator_id", "year", "scope", "value"])
    return indicators, statistics


def evaluated(engine: Engine, year: int) -> pd.DataFrame:
    """Every target evaluated for ``year`` from the warehouse, stored nowhere (:func:`compute` stores it)."""
    with engine.connect() as conn:
        registry = pd.DataFrame(conn.execute(sql("dml/plan_target/select_plan_targets")).mappings().all())
    indicators, statistics = measured(engine)
    partial = indicators[(indicators["period"] == str(year)) & (indicators["scope"] == "衢州")
                         & (indicators["coverage"] == "ytd")] if "coverage" in indicators else indicators.iloc[0:0]  # fmt: skip
    previous = same_period_values(engine, year, dict(zip(partial["indicator"], partial["last_day"], strict=True)))
    rows = scoreboard_rows(registry, indicators, statistics, year, previous)
    return rows.assign(indicator_zh=rows["target_id"].map(registry.set_index("id")["indicator_zh"]))


def compute(engine: Engine, year: int) -> pd.DataFrame:
    """Evaluate every target for ``year`` and store the scoreboard (replacing the year's rows)."""
    rows = evaluated(engine, year).drop(columns="indicator_zh")
    records = rows.astype(object).where(rows.notna(), None).to_dict("records")
    with replacing(engine, f"scoreboard|{year}") as conn:
        conn.execute(sql("dml/scoreboard/delete_scoreboard_year"), {"year": year})
        conn.execute(sql("dml/scoreboard/insert_scoreboard"), records)
    return rows


def history(engine: Engine, target_id: str) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.DataFrame(
            conn.execute(sql("dml/scoreboard/select_scoreboard_history"), {"target_id": target_id}).mappings().all()
        )


def trend(engine: Engine, target: dict, known: tuple[pd.DataFrame, pd.DataFrame] | None = None) -> pd.DataFrame:
    """The target's whole trend: every year with a value (computed or supplied, from its baseline on; for a
    ``relative_change`` target the % change against the baseline year, which is what is compared), with the
    goal, status and edition of the years the scoreboard has evaluated (``year, value, goal, status, edition``).
    A year the scoreboard evaluated keeps the value it compared. ``known``: :func:`measured`, when the caller read
    it already (one read for all of a night's alerts)."""
    indicators, statistics = known if known is not None else measured(engine)
    series = series_for(target, indicators, statistics)
    if target["kind"] == "relative_change":
        base = series.get(target["baseline_year"])
        ok = base not in (None, 0) and not pd.isna(base)
        series = {y: 100.0 * (v - base) / base for y, v in series.items() if ok and y != target["baseline_year"]}
    values = pd.DataFrame(
        {"year": list(series), "value": [float(v) for v in series.values()]}, columns=["year", "value"]
    )
    evaluated = history(engine, target["id"])
    if evaluated.empty:
        evaluated = pd.DataFrame(columns=["year", "value", "goal", "status", "edition"])
    evaluated = evaluated.assign(year=evaluated["year"].astype(int)).rename(columns={"value": "compared"})
    merged = values.merge(evaluated, on="year", how="outer").sort_values("year")
    merged["value"] = pd.to_numeric(merged["compared"], errors="coerce").fillna(merged["value"])
    return merged.drop(columns="compared").reset_index(drop=True)
