"""城市环境空气质量排名 (city air-quality ranking): each city's composite index, PM2.5 and good-day ratio for every
month, every 1–N月 (January to month N) and the year, ranked inside a rank universe (Zhejiang's 11 设区市, the
ministry's 168 key cities), with 同比 and the ranking by change (变化程度). Pure.

Rules followed, and where their text was found:

* 《城市环境空气质量排名技术规定》 (环办监测〔2018〕19号), as restated in the ministry's monthly ranking notes and in
  provincial ranking notes (the rule's own PDF was not reachable here; :mod:`pipeline.indicators.composite` gives
  the formula and its sources): cities are ranked by the composite index I_sum, smaller is cleaner; the ranking by
  change (变化程度) ranks the change of I_sum against the same period of the year before, (I_now − I_before) /
  I_before × 100 %, the most improved (smallest) first.
* Rank by PM2.5 (ascending, integer µg/m³ as published) and by good-day ratio (优良天数比例, descending, one
  decimal as published) are the other two orders of the monthly notes.
* Ties: values equal at their published precision (I_sum 2 decimals, PM2.5 integer, ratio 1 decimal) share a
  rank and the next rank is skipped (1, 2, 2, 4).
* 扣沙 (the deduction of dust-storm days, 沙尘天气过程影响扣除): the national real-time files carry no dust-event
  marks, so every figure here is **without** the deduction (for Zhejiang's cities dust days are rare; the
  ministry's northern cities can differ most).

Which cities are ranked (:func:`ranked_cities`): a city is ranked in a period when its valid days (all six
daily statistics valid, HJ 663-2013) reach GB 3095-2012 Table 4's minimum for the period (a month 27 days, 25 in
February; 1–N月 the sum of its months'; a year 324). Where the source lost days for the whole universe alike
(the 2019 real-time archive lost hours of late August to early October at every station), so that the
universe's median is below the minimum, a city needs 90 % of that median: cities are compared on the days their
peers have, and a city lacking days its peers have is not ranked, with the reason in ``note``. The 811 verdicts
keep Table 4 to the letter (:mod:`pipeline.indicators.coverage`); this relaxation is the ranking's only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.indicators.aqi import round_half_even
from pipeline.indicators.composite import change_pct, composite_index, period_concentrations
from pipeline.indicators.coverage import min_valid_days
from pipeline.indicators.evaluation import MIN_DAYS_ANNUAL

RANKED_BY = {
    "composite_index": ("环境空气质量综合指数", "composite index", True, 2),
    "pm25": ("细颗粒物(PM2.5)浓度", "PM2.5 concentration", True, 0),
    "good_day_ratio": ("优良天数比例", "good-day ratio", False, 1),
}
"""indicator -> (中文名, English name, ascending?, published decimals)."""

PERIOD_KINDS = {"month": ("当月", "month"), "ytd": ("1–N月累计", "January to month N"), "year": ("全年", "year")}


def ytd_period(year: int, month: int) -> str:
    """The label of 1–``month``月 of ``year``: ``2019-01~06``."""
    return f"{year}-01~{month:02d}"


def period_months(period: str) -> list[int]:
    """The months a period label covers (``2019``, ``2019-06``, ``2019-01~06``)."""
    if len(period) == 4:
        return list(range(1, 13))
    if "~" in period:
        return list(range(1, int(period[-2:]) + 1))
    return [int(period[5:7])]


def periods_of(year: int, months_with_data) -> list[tuple[str, str]]:
    """(period, kind) of ``year`` to rank: each month with data, each 1–N月 for N from 2 to 11 up to the last month
    with data, and the year (when December has data, or always: a year so far is ranked as 1–N月 only)."""
    months = sorted({int(m) for m in months_with_data})
    if not months:
        return []
    out = [(f"{year}-{m:02d}", "month") for m in months]
    out += [(ytd_period(year, n), "ytd") for n in range(2, min(max(months), 11) + 1)]
    if max(months) == 12:
        out.append((str(year), "year"))
    return out


def city_period_values(city_days: pd.DataFrame, year: int, cities=None) -> pd.DataFrame:
    """Every city's ranked values in every period of ``year`` (:func:`periods_of`). Pure.

    city_days: ``air_city_day`` rows (``city, date, so2 … o3_8h, aqi, valid_day``); cities: only these (default
    all). Returns ``city, period, period_kind, composite_index, pm25, good_day_ratio, valid_days, days,
    period_over`` (False: the data end before the period does, e.g. the month in progress), values rounded as
    published."""
    dates = pd.to_datetime(city_days["date"])
    last_day = dates.max()  # how far the data go: a period ending after it is not over yet
    days = city_days[dates.dt.year == year].assign(month=dates[dates.dt.year == year].dt.month)
    if cities is not None:
        days = days[days["city"].isin(list(cities))]
    if days.empty:
        return pd.DataFrame(columns=["city", "period", "period_kind", *RANKED_BY, "valid_days", "days", "period_over"])
    rows = []
    for period, kind in periods_of(year, days["month"].unique()):
        months = period_months(period)
        chosen = days[days["month"].isin(months)]
        over = bool(last_day >= pd.Timestamp(year, months[-1], 1) + pd.offsets.MonthEnd(0))
        for city, frame in chosen.groupby("city", sort=True):
            ok = frame["valid_day"].astype(bool)
            found = composite_index(period_concentrations(frame))
            good = int((ok & (frame["aqi"] <= 100)).sum())
            ratio = 100.0 * good / int(ok.sum()) if ok.any() else float("nan")
            pm25 = frame["pm25"].astype(float)
            row = {
                "city": city, "period": period, "period_kind": kind, "composite_index": found["i_sum"],
                "pm25": round_half_even(float(pm25.mean()), 0) if pm25.notna().any() else float("nan"),
                "good_day_ratio": round_half_even(ratio, 1) if ok.any() else float("nan"),
                "valid_days": int(ok.sum()), "days": len(frame), "period_over": over,
            }  # fmt: skip
            rows.append(row)
    return pd.DataFrame(rows)


COMMON_GAP_SHARE = 0.9
"""Where the universe's median valid days fall below the rule's minimum (the source lost days for every city
alike), a city is ranked with at least this share of that median."""


def required_days(period: str, median_days: float) -> tuple[int, bool]:
    """(valid days a city needs to be ranked in ``period``, whether the rule was relaxed for a common gap): GB
    3095-2012 Table 4's minimum (a month 27, February 25; a year 324; 1–N月 the sum of its months' minimums),
    or, when the universe's median is below it, :data:`COMMON_GAP_SHARE` of the median."""
    months = period_months(period)
    rule = MIN_DAYS_ANNUAL if len(months) == 12 else sum(min_valid_days(m) for m in months)
    if median_days >= rule:
        return rule, False
    return int(np.floor(COMMON_GAP_SHARE * median_days)), True


def ranked_cities(values: pd.DataFrame) -> pd.DataFrame:
    """Which cities of one universe and period may be ranked (module docstring): ``values`` (one period's rows of
    :func:`city_period_values` for the universe's cities) with ``eligible`` and ``note`` (why not ranked). Pure."""
    out = values.copy()
    if out.empty:
        return out.assign(eligible=pd.Series(dtype=bool), note=pd.Series(dtype=object))
    period = str(out["period"].iloc[0])
    required, relaxed = required_days(period, float(out["valid_days"].median()))
    short = out["valid_days"] < required
    over = bool(out["period_over"].iloc[0]) if "period_over" in out else True
    if not relaxed:
        why = "GB 3095-2012 表4 的有效天数要求"
    elif over:
        why = "同组城市中位数的90%（源数据全组缺测，按同组比较）"
    else:  # the month (or year) in progress, ranked on the days so far
        why = "同组城市中位数的90%（本期尚未结束，按已有天数比较）"
    out["eligible"] = ~short
    out["note"] = [f"数据不完整，不参与排名：有效{n}天，少于{required}天（{why}）" if s else ""
                   for n, s in zip(out["valid_days"], short, strict=True)]  # fmt: skip
    return out


def rank_values(values: pd.Series, ascending: bool) -> pd.Series:
    """Competition ranks (1, 2, 2, 4) of ``values`` (already rounded as published); NaN stays unranked."""
    return values.rank(method="min", ascending=ascending)


def rank_universe(values: pd.DataFrame, members, previous: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ranking of one universe: for each period of ``values`` (:func:`city_period_values`), each ranked
    indicator (:data:`RANKED_BY`) and each member city, its value, rank among the eligible members, how many
    were ranked, the value of the same period a year before (``previous``, the year before's
    :func:`city_period_values`), the change (I_sum and PM2.5: % (同比, :func:`composite.change_pct`); good-day
    ratio: percentage points) and, for I_sum, the rank by change (变化程度, most improved first). A member
    without data in a period is listed with ``note`` 无监测数据 and no rank. Pure.

    Returns ``period, period_kind, indicator, city, value, rank, n_ranked, n_members, previous_value, change,
    change_rank, valid_days, eligible, note``."""
    members = list(dict.fromkeys(members))
    before = {}
    if previous is not None and len(previous):
        for r in previous.itertuples(index=False):
            before[(r.city, str(r.period)[4:])] = r  # the same period of the year before: month, 1–N月, year
    out = []
    inside = values[values["city"].isin(members)]
    for period, frame in inside.groupby("period", sort=True):
        judged = ranked_cities(frame.reset_index(drop=True))
        kind = str(judged["period_kind"].iloc[0])
        missing = [c for c in members if c not in set(judged["city"])]
        for indicator, (_zh, _en, ascending, _digits) in RANKED_BY.items():
            value = judged[indicator].astype(float)
            ok = judged["eligible"] & value.notna()
            ranks = rank_values(value.where(ok), ascending)
            prior = [getattr(before.get((c, period[4:])), indicator, np.nan) for c in judged["city"]]
            prior = pd.Series(prior, index=judged.index, dtype=float)
            if indicator == "good_day_ratio":
                change = (value - prior).map(lambda v: round_half_even(v, 1) if pd.notna(v) else np.nan)
            else:
                change = pd.Series([change_pct(a, b) for a, b in zip(value, prior, strict=True)], index=judged.index)
            change_rank = rank_values(change.where(ok), True) if indicator == "composite_index" else None
            for i in judged.index:
                note = judged.at[i, "note"] if not pd.isna(value[i]) else "无有效数据，不参与排名"
                out.append({
                    "period": period, "period_kind": kind, "indicator": indicator, "city": judged.at[i, "city"],
                    "value": value[i], "rank": ranks[i], "n_ranked": int(ok.sum()), "n_members": len(members),
                    "previous_value": prior[i], "change": change[i],
                    "change_rank": np.nan if change_rank is None else change_rank[i],
                    "valid_days": int(judged.at[i, "valid_days"]), "eligible": bool(ok[i]), "note": note,
                })  # fmt: skip
            for city in missing:
                out.append({
                    "period": period, "period_kind": kind, "indicator": indicator, "city": city, "value": np.nan,
                    "rank": np.nan, "n_ranked": int(ok.sum()), "n_members": len(members), "previous_value": np.nan,
                    "change": np.nan, "change_rank": np.nan, "valid_days": 0, "eligible": False,
                    "note": "无监测数据，不参与排名 no data in the warehouse",
                })  # fmt: skip
    columns = ["period", "period_kind", "indicator", "city", "value", "rank", "n_ranked", "n_members",
               "previous_value", "change", "change_rank", "valid_days", "eligible", "note"]  # fmt: skip
    return pd.DataFrame(out, columns=columns)
