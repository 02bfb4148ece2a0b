"""环境空气质量综合指数 (ambient air quality composite index, I_sum): the index by which China's cities and
counties are ranked, with its 同比 (year-on-year) change. Pure.

Method: the city-ranking rules (the 2013 rules' formula, kept by 《城市环境空气质量排名技术规定》, 环办监测〔2018〕19号),
as restated in provincial ranking notes (Anhui 2017-2022) and the national monthly reports; the rule's own text
was not available here (``shared/reference/hj663_2013_evaluation.md``, "Composite index", gives the formula):

* single-item index I_i = C_i / S_i for SO2, NO2, PM10, PM2.5 (C_i: the period's mean of the daily means),
  CO (the 95th percentile of the daily 24-h means) and O3 (the 90th percentile of the daily maximum 8-h
  means); S_i the GB 3095-2012 Grade II limits: SO2 60, NO2 40, PM10 70, PM2.5 35 (annual), CO 4 mg/m3
  (24-h), O3 160 (8-h) µg/m3;
* I_sum = Σ I_i, unweighted; a month uses the month's own means and percentiles, a year the year's;
* C_i are rounded as HJ 663-2013 publishes them (integers; CO one decimal), percentiles by HJ 663's
  method (:func:`pipeline.indicators.evaluation.percentile_hj663`); I_sum is the sum of the exact ratios,
  rounded once to 2 decimals (GB/T 8170), as published (summing rounded I_i can differ by 0.01);
* 同比 = (I_now − I_before) / I_before × 100 %, one decimal: > 0 worse, < 0 better (:func:`change_pct`, GB/T
  8170); the ranking (ascending I_sum, equal values sharing a rank: 1, 2, 2, 4) is made inside a rank universe by
  :mod:`pipeline.indicators.ranking`. Both are computed once, in Python, and stored (table ``city_ranking``);
  the view ``v_air_composite_index`` only selects them.

Edition handling: the 2018 rule fixes S_i at the GB 3095-2012 Grade II limits, and the index keeps them for
every year, also after GB 3095-2026 took effect on 2026-03-01: it is a ranking scale, not a compliance
judgement (compliance uses the limits in force: :mod:`pipeline.indicators.evaluation`). A weighted index
credited to HJ 663-2026 by third parties (weights SO2 1, NO2 2, PM10 1, PM2.5 3, CO 1, O3 2) is not
implemented: the 2026 text is not available to verify it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import pandas as pd

from pipeline.indicators.aqi import round_half_even
from pipeline.indicators.evaluation import percentile_hj663

COMPOSITE_LIMITS = {"so2": 60.0, "no2": 40.0, "pm10": 70.0, "pm25": 35.0, "co": 4.0, "o3_8h": 160.0}
"""S_i: GB 3095-2012 Table 1 Grade II limits (annual for SO2, NO2, PM10, PM2.5; CO 24-h mg/m3; O3 8-h)."""

METHOD = "环办监测〔2018〕19号 · S_i = GB 3095-2012 二级"


def period_concentrations(days: pd.DataFrame) -> dict[str, float]:
    """C_i of a period from its valid daily values (columns ``so2 no2 pm10 pm25 co o3_8h``, NaN where a
    day's statistic is not valid): means for SO2, NO2, PM10, PM2.5; CO p95; O3-8h p90; rounded as HJ 663
    publishes them (integers, CO one decimal). NaN for a pollutant without a value."""
    out = {}
    for pollutant in COMPOSITE_LIMITS:
        values = _numbers(days[pollutant]) if pollutant in days else np.empty(0)
        if pollutant == "co":
            value = percentile_hj663(values, 95)
        elif pollutant == "o3_8h":
            value = percentile_hj663(values, 90)
        else:
            missing = np.isnan(values)
            count = int((~missing).sum())
            # pandas' skipna mean, as numpy does it: the sum with NaN as 0, over the count of values
            value = float(np.where(missing, 0.0, values).sum() / count) if count else float("nan")
        out[pollutant] = round_half_even(value, 1 if pollutant == "co" else 0)
    return out


def _numbers(column: pd.Series) -> np.ndarray:
    """A column's values as floats (NaN where not a number)."""
    if not pd.api.types.is_numeric_dtype(column.dtype):
        column = pd.to_numeric(column, errors="coerce")
    return column.to_numpy(dtype=float, na_value=np.nan)


def composite_index(concentrations: dict[str, float]) -> dict:
    """Single-item indices (2 decimals, for display), I_sum (2 decimals) and the item with the largest index
    (``largest``) of one period's C_i. I_sum is NaN when any of the six C_i is missing."""
    singles, exact = {}, Decimal(0)
    complete = True
    for pollutant, limit in COMPOSITE_LIMITS.items():
        value = concentrations.get(pollutant, float("nan"))
        if value is None or np.isnan(value):
            singles[pollutant] = float("nan")
            complete = False
            continue
        ratio = Decimal(repr(float(value))) / Decimal(repr(limit))
        exact += ratio
        singles[pollutant] = float(ratio.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))
    total = float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)) if complete else float("nan")
    known = {p: v for p, v in singles.items() if not np.isnan(v)}
    largest = max(known, key=known.get) if known else ""
    return {"i_sum": total, "single": singles, "largest": largest}


def change_pct(now: float, before: float) -> float:
    """同比: (now − before) / before × 100 [%], one decimal (GB/T 8170); NaN without both values."""
    if now is None or before is None or np.isnan(now) or np.isnan(before) or before == 0:
        return float("nan")
    return round_half_even(100.0 * (now - before) / before, 1)


def composite_rows(city_days: pd.DataFrame, year: int) -> pd.DataFrame:
    """I_sum of each scope (``city``) for each month of ``year`` with days, and for the year. Pure.

    city_days: ``air_city_day`` rows (``city, date, so2 ... o3_8h``; statistics of invalid days NaN).
    Returns ``scope, period, i_sum, n_days, largest`` and the six single indices ``i_<pollutant>``."""
    dates = pd.to_datetime(city_days["date"])
    days = city_days[dates.dt.year == year].assign(month=dates[dates.dt.year == year].dt.strftime("%Y-%m"))
    rows = []
    for city, frame in days.groupby("city", sort=True):
        periods = [(month, group) for month, group in frame.groupby("month", sort=True)] + [(str(year), frame)]
        for period, group in periods:
            found = composite_index(period_concentrations(group))
            rows.append({"scope": city, "period": period, "i_sum": found["i_sum"], "n_days": len(group),
                         "largest": found["largest"], **{f"i_{p}": v for p, v in found["single"].items()}})  # fmt: skip
    return pd.DataFrame(rows)
