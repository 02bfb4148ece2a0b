"""Individual and overall Air Quality Index (IAQI, AQI) per HJ 633-2012 and HJ 633-2026.

Formula (HJ 633-2012 clause 5.2 eq. 1; HJ 633-2026 4.2.5, the same equation)::

    IAQI_P = (IAQI_Hi - IAQI_Lo) / (BP_Hi - BP_Lo) * (C_P - BP_Lo) + IAQI_Lo

rounded **up** to an integer (HJ 633-2026 4.2.6 says so in words). AQI = max IAQI. Concentrations are
first rounded as published (GB/T 8170 half-even: integers in µg/m³, CO to 0.1 mg/m³; HJ 663-2013,
HJ 633-2026 4.2.2), so the IAQI is computed from the published number. That rule reproduces all
122,654 CNEMC-published hourly AQIs in ``shared/data/cnemc_china_sites_2019`` (reference README);
``tests/indicators/test_aqi.py`` checks it.

The edition is chosen by the data's date (:mod:`pipeline.indicators.editions`). What differs:

* breakpoints: HJ 633-2026 Table 3 puts IAQI 100 at PM10 120 and PM2.5 60 µg/m³ (2012: 150, 75);
* SO2 1-h above 800 µg/m³: 2012 Table 1 note 2 reports SO2 with its 24-h IAQI; 2026 Table 3 note b
  counts the SO2 IAQI as 200. O3 8-h above 800: 2012 note 3 leaves it to the 1-h IAQI; 2026 note c
  counts it as 300;
* the daily report: 2012 has seven indicators (clause 5.1, incl. the O3 daily max 1-h); 2026 4.2.2 has
  six (the O3 daily max 1-h is no longer part of the daily AQI);
* the AQI range is 1-500 in 2026 (Table 1), 0-500 in 2012 (Table 2);
* publication (2026 5.3.1): with a pollutant missing the AQI of the others is published only when
  above 100, otherwise as NA (``aqi_status``); 2012 has no such rule. 超标污染物 (2012 clause 6.2) is
  abolished in 2026 (4.3.1) and this package never reports it.

Above the top breakpoint neither edition defines an IAQI; the national platform publishes 500, and so
do we (except the two notes above).
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache

import numpy as np
import pandas as pd

IAQI_LEVELS = np.array([0, 50, 100, 150, 200, 300, 400, 500], dtype=float)
"""IAQI at each breakpoint column of HJ 633-2012 Table 1."""

BREAKPOINTS_HJ633_2012: dict[str, tuple[float, ...]] = {
    "so2_24h": (0, 50, 150, 475, 800, 1600, 2100, 2620),
    "so2_1h": (0, 150, 500, 650, 800),
    "no2_24h": (0, 40, 80, 180, 280, 565, 750, 940),
    "no2_1h": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    "pm10_24h": (0, 50, 150, 250, 350, 420, 500, 600),
    "co_24h": (0, 2, 4, 14, 24, 36, 48, 60),
    "co_1h": (0, 5, 10, 35, 60, 90, 120, 150),
    "o3_1h": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "o3_8h": (0, 100, 160, 215, 265, 800),
    "pm25_24h": (0, 35, 75, 115, 150, 250, 350, 500),
}
"""HJ 633-2012, Table 1: concentration limits [µg/m³; CO mg/m³] at IAQI 0, 50, 100, ... 500.

Keys are ``<pollutant>_<averaging>``. ``so2_1h`` stops at IAQI 200 (note 2) and ``o3_8h`` at
IAQI 300 (note 3); above those the IAQI comes from the other averaging time.
"""

BREAKPOINTS_HJ633_2026: dict[str, tuple[float, ...]] = {
    **BREAKPOINTS_HJ633_2012,
    "pm10_24h": (0, 50, 120, 250, 350, 420, 500, 600),
    "pm25_24h": (0, 35, 60, 115, 150, 250, 350, 500),
}
"""HJ 633-2026, Table 3 (read from the official MEE text; ``shared/reference/hj633_2026_iaqi_breakpoints.csv``):
as 2012 except PM10 and PM2.5 reach IAQI 100 at 120 and 60 µg/m³. ``so2_1h`` stops at IAQI 200
(note b) and ``o3_8h`` at IAQI 300 (note c)."""

BREAKPOINTS_BY_EDITION: dict[str, dict[str, tuple[float, ...]]] = {
    "2012": BREAKPOINTS_HJ633_2012,
    "2026": BREAKPOINTS_HJ633_2026,
}
"""IAQI breakpoints keyed by HJ 633 edition (``AirEdition.aqi`` of :mod:`pipeline.indicators.editions`)."""

ABOVE_TABLE_IAQI: dict[str, dict[str, float]] = {
    "2012": {"so2_1h": np.nan, "o3_8h": np.nan},
    "2026": {"so2_1h": 200.0, "o3_8h": 300.0},
}
"""IAQI of a concentration above the top of a table, where not 500. HJ 633-2012 Table 1 notes 2 and 3:
none (the other averaging time reports the pollutant). HJ 633-2026 Table 3 note b: 1-h SO2 > 800
counts as 200; note c: 8-h O3 > 800 counts as 300."""

AQI_MINIMUM = {"2012": 0.0, "2026": 1.0}
"""Lowest AQI: HJ 633-2012 Table 2 starts at 0; HJ 633-2026 Table 1 gives the range 1-500."""

AQI_CATEGORIES = pd.DataFrame(
    {
        "aqi_max": [50, 100, 150, 200, 300, np.inf],
        "level": [1, 2, 3, 4, 5, 6],
        "level_roman": ["一级", "二级", "三级", "四级", "五级", "六级"],
        "category_zh": ["优", "良", "轻度污染", "中度污染", "重度污染", "严重污染"],
        "category_en": [
            "Excellent",
            "Good",
            "Lightly polluted",
            "Moderately polluted",
            "Heavily polluted",
            "Severely polluted",
        ],
        "colour_rgb": ["0,228,0", "255,255,0", "255,126,0", "255,0,0", "153,0,76", "126,0,35"],
    }
)
"""HJ 633-2012 Table 2 and HJ 633-2026 Table 1 (unchanged): AQI levels, categories and colours (upper
bound inclusive)."""

DAILY_TABLES = {
    "so2": "so2_24h",
    "no2": "no2_24h",
    "pm10": "pm10_24h",
    "co": "co_24h",
    "pm25": "pm25_24h",
    "o3_8h": "o3_8h",
    "o3_1h": "o3_1h",
}
"""Daily report (日报): input column -> breakpoint table (HJ 633-2012, clause 5.1 and Table 1)."""

HOURLY_TABLES = {
    "so2": "so2_1h",
    "no2": "no2_1h",
    "pm10": "pm10_24h",
    "co": "co_1h",
    "pm25": "pm25_24h",
    "o3_8h": "o3_8h",
    "o3_1h": "o3_1h",
}
"""Real-time report (实时报): 1-h SO2/NO2/CO/O3 on the 1-h tables; 1-h PM10 and PM2.5 on the
24-h tables (HJ 633-2012, Table 1 note 1; how CNEMC publishes). ``o3_8h`` gets an IAQI for
information but is not part of the real-time AQI (CNEMC's published AQI excludes it)."""

DAILY_COUNTED = {
    "2012": tuple(DAILY_TABLES),
    "2026": ("so2", "no2", "pm10", "co", "pm25", "o3_8h"),
}
"""Columns whose IAQI makes the daily AQI: HJ 633-2012 clause 5.1 (seven, with the O3 daily max 1-h);
HJ 633-2026 4.2.2 (six: the O3 daily max 1-h is no longer part of the daily report)."""

HOURLY_COUNTED = ("so2", "no2", "pm10", "co", "pm25", "o3_1h")
"""Columns whose IAQI makes the real-time AQI, both editions (HJ 633-2026 4.2.3/4.2.4: the 1-h means of
the six pollutants; CNEMC's 2012 practice)."""

AQI_STATUSES = ("published", "NA", "none")
"""``aqi_status``: ``published``; ``NA`` (HJ 633-2026 5.3.1: a pollutant missing and the AQI of the
others not above 100, so the AQI is published as NA; ``aqi`` keeps the computed value); ``none`` (no
pollutant at all)."""

POLLUTANT_COLUMNS = tuple(DAILY_TABLES)
"""Calculator input columns, in output order."""

DECIMALS = {"co": 1}
"""Published precision [decimal places]: CO to 0.1 mg/m³, everything else integer µg/m³
(HJ 663-2013; GB/T 8170 rounding)."""


def round_half_even(values, decimals: int = 0):
    """Round as GB/T 8170 (四舍六入五成双) [same units as input]; scalar or array in, same out.

    Binary floating point stores 0.35 as 0.34999...; scaled values are snapped to 6 decimals
    first so that a true half rounds to even.
    """
    scale = 10.0**decimals
    rounded = np.round(np.round(np.asarray(values, dtype=float) * scale, 6)) / scale
    return float(rounded) if np.ndim(values) == 0 else rounded


def _above_table(table: str, edition: str) -> float:
    return ABOVE_TABLE_IAQI[edition].get(table, 500.0)


def iaqi(concentration, table: str, edition: str = "2012"):
    """IAQI of a concentration on one breakpoint row of an HJ 633 edition.

    concentration: scalar or array-like [µg/m³; CO mg/m³], already rounded as published.
    table: a key of :data:`BREAKPOINTS_HJ633_2012`; edition: ``2012`` or ``2026``.
    Returns float IAQI (integer-valued) of the same shape; NaN for missing or negative input; above
    the table :data:`ABOVE_TABLE_IAQI` (NaN, 200 or 300) for ``so2_1h``/``o3_8h``, else 500.
    """
    breakpoints = np.asarray(BREAKPOINTS_BY_EDITION[edition][table], dtype=float)
    levels = IAQI_LEVELS[: len(breakpoints)]
    scalar = np.ndim(concentration) == 0
    c = np.atleast_1d(np.asarray(concentration, dtype=float))
    raw = np.interp(c, breakpoints, levels)
    # Round up, but not over binary noise: 100.00000000000001 must give 100, not 101. Real fractions
    # are far larger (>= 50/1500 of an IAQI per 0.1 unit of concentration).
    result = np.ceil(raw - 1e-9)
    above = c > breakpoints[-1]
    result[above] = _above_table(table, edition)
    result[np.isnan(c) | (c < 0)] = np.nan
    return float(result[0]) if scalar else result


@cache
def iaqi_lookup(table: str, edition: str = "2012") -> np.ndarray:
    """IAQI of every concentration on the published grid (integers; CO 0.1 mg/m³) of one breakpoint
    row, up to its top breakpoint, in exact arithmetic (eq. 1, rounded up).
    Index = concentration / grid step. Used by :func:`aqi_frame`, whose input is rounded first.

    Exact: the grid and the breakpoints are scaled by a common denominator to integers, so eq. 1 is
    ``I_lo + ceil(dI * (c - lo) / (hi - lo))`` in integers (numpy int64, no rounding anywhere);
    ``tests/indicators/test_aqi.py`` checks it against the same formula in ``fractions.Fraction``."""
    step = Fraction(1, 10 ** DECIMALS.get(table.split("_")[0], 0))
    breakpoints = [Fraction(b).limit_denominator(10) for b in BREAKPOINTS_BY_EDITION[edition][table]]
    scale = math.lcm(step.denominator, *(b.denominator for b in breakpoints))
    points = np.array([int(b * scale) for b in breakpoints], dtype=np.int64)
    grid = np.arange(int(breakpoints[-1] / step) + 1, dtype=np.int64) * int(step * scale)
    i = np.clip(np.searchsorted(points, grid, side="left") - 1, 0, len(points) - 2)  # c <= points[i + 1]
    lo, hi = points[i], points[i + 1]
    levels = IAQI_LEVELS.astype(np.int64)
    rise = (levels[i + 1] - levels[i]) * (grid - lo)
    return (levels[i] - (-rise // (hi - lo))).astype(float)  # -(-a // b) = ceil(a / b) for b > 0


def _iaqi_on_grid(rounded: np.ndarray, table: str, edition: str = "2012") -> np.ndarray:
    """:func:`iaqi` for concentrations already on the published grid, by table lookup."""
    lookup = iaqi_lookup(table, edition)
    scale = 10 ** DECIMALS.get(table.split("_")[0], 0)
    with np.errstate(invalid="ignore"):
        index = np.rint(rounded * scale)
        known = index >= 0  # NaN and negative: no IAQI
        above = index >= len(lookup)
        result = lookup.take(np.where(known & ~above, index, 0).astype(np.intp))  # one gather, no masks
    result[above] = _above_table(table, edition)
    result[~known] = np.nan
    return result


def aqi_level(aqi_values) -> np.ndarray:
    """AQI level 1-6 (HJ 633-2012 Table 2; HJ 633-2026 Table 1) for AQI values; 0 where AQI is missing."""
    values = np.asarray(aqi_values, dtype=float)
    levels = np.searchsorted(AQI_CATEGORIES["aqi_max"].to_numpy(), values, side="left") + 1
    return np.where(np.isnan(values), 0, levels)


def aqi_frame(frame: pd.DataFrame, mode: str = "daily", edition="2012") -> pd.DataFrame:
    """IAQIs, AQI, level, category, primary pollutant and publication status for each row of ``frame``.

    frame: any subset of the columns ``so2, no2, pm10, co, pm25, o3_8h, o3_1h`` [µg/m³; CO mg/m³]
      and, in hourly mode, ``so2_24h`` for the 2012 SO2 > 800 rule. Values are rounded as published
      before the IAQI (HJ 663-2013 rounding; see module docstring).
    mode: ``daily`` (日报) or ``hourly`` (实时报).
    edition: HJ 633 edition, ``2012`` or ``2026`` (:func:`pipeline.indicators.editions.aqi_edition_for`),
      one for all rows or an array with one per row.
    Returns a new frame, same index: ``iaqi_<column>`` for every column of :data:`POLLUTANT_COLUMNS`
    (NaN where absent, empty, or not part of the edition's report: ``iaqi_o3_1h`` of a 2026 daily row),
    ``aqi`` (float, NaN if no pollutant), ``level`` (1-6, 0 if no AQI), ``category_zh``,
    ``category_en``, ``primary_pollutant`` (column names joined with ``;``, empty when AQI <= 50;
    HJ 633-2012 6.2 / HJ 633-2026 4.3.1: ties list all), ``aqi_status`` (:data:`AQI_STATUSES`).
    """
    if mode not in ("daily", "hourly"):
        raise ValueError(f"mode must be 'daily' or 'hourly', not {mode!r}")
    columns = {c: _concentrations(frame[c], c) for c in (*DAILY_TABLES, *HOURLY_TABLES, "so2_24h") if c in frame}
    if isinstance(edition, str):
        if edition not in BREAKPOINTS_BY_EDITION:
            raise ValueError(f"unknown HJ 633 edition {edition!r}; expected one of {', '.join(BREAKPOINTS_BY_EDITION)}")
        return pd.DataFrame(_aqi_arrays(columns, len(frame), mode, edition), index=frame.index, copy=False)
    editions = np.asarray(edition, dtype=object)
    unknown = set(editions) - set(BREAKPOINTS_BY_EDITION)
    if unknown:
        raise ValueError(f"unknown HJ 633 edition(s) {sorted(map(str, unknown))}")
    kinds = list(dict.fromkeys(editions))
    if len(kinds) <= 1:
        arrays = _aqi_arrays(columns, len(frame), mode, kinds[0] if kinds else "2012")
        return pd.DataFrame(arrays, index=frame.index, copy=False)
    rows = [np.flatnonzero(editions == e) for e in kinds]
    parts = [
        _aqi_arrays({c: v[r] for c, v in columns.items()}, len(r), mode, e) for r, e in zip(rows, kinds, strict=True)
    ]
    out: dict[str, object] = {}
    for column, first in parts[0].items():  # each edition's rows put back in place, column by column
        pieces = [part[column] for part in parts]
        if isinstance(first, pd.Categorical) and all(list(p.categories) == list(first.categories) for p in pieces):
            codes = np.empty(len(frame), dtype=first.codes.dtype)  # the categories; the primary pollutants
            for r, piece in zip(rows, pieces, strict=True):  # when both editions count the same pollutants
                codes[r] = piece.codes
            out[column] = pd.Categorical.from_codes(codes, first.categories)
            continue
        kind = object if isinstance(first, pd.Categorical) else first.dtype
        values = np.empty(len(frame), dtype=kind)
        for r, piece in zip(rows, pieces, strict=True):
            values[r] = np.asarray(piece, dtype=kind)
        out[column] = values
    return pd.DataFrame(out, index=frame.index, copy=False)  # the arrays are this call's own


def _aqi_arrays(columns: dict[str, np.ndarray], n: int, mode: str, edition: str) -> dict:
    """:func:`aqi_frame` of one edition on concentrations already rounded as published (``columns``), as
    arrays (Categoricals for the categories and primary pollutants), in the frame's column order."""
    tables = DAILY_TABLES if mode == "daily" else HOURLY_TABLES
    counted = list(DAILY_COUNTED[edition] if mode == "daily" else HOURLY_COUNTED)
    out: dict[str, object] = {}
    for column, table in tables.items():
        if column not in columns or (mode == "daily" and column not in counted):
            out[f"iaqi_{column}"] = np.full(n, np.nan)
            continue
        values = columns[column]
        sub = _iaqi_on_grid(values, table, edition)
        if mode == "hourly" and column == "so2" and edition == "2012":
            # HJ 633-2012 Table 1 note 2: SO2 1-h > 800 -> use the 24-h IAQI. (2026 note b: 200, in the table.)
            day = columns["so2_24h"] if "so2_24h" in columns else np.full(n, np.nan)
            sub = np.where(values > 800, _iaqi_on_grid(day, "so2_24h", edition), sub)
        out[f"iaqi_{column}"] = sub
    sub_indices = [out[f"iaqi_{c}"] for c in counted]
    aqi_values = np.full(n, np.nan)
    for sub in sub_indices:  # the largest IAQI; NaN only if all are
        np.fmax(aqi_values, sub, out=aqi_values)
    aqi_values = np.where(np.isnan(aqi_values), np.nan, np.maximum(aqi_values, AQI_MINIMUM[edition]))
    out["aqi"] = aqi_values
    levels = aqi_level(aqi_values)
    out["level"] = levels
    for column in ("category_zh", "category_en"):  # level 0 (no AQI) -> ""
        out[column] = pd.Categorical.from_codes(levels, ["", *AQI_CATEGORIES[column]])
    out["primary_pollutant"] = primary_pollutants(sub_indices, aqi_values, counted)
    out["aqi_status"] = publication_status(sub_indices, aqi_values, edition)
    return out


def publication_status(sub_indices: list[np.ndarray], aqi_values: np.ndarray, edition: str) -> np.ndarray:
    """``published``, ``NA`` or ``none`` per row (:data:`AQI_STATUSES`).

    HJ 633-2026 5.3.1: when a pollutant of the report is missing or invalid, the AQI computed from the
    others is published only when it is above 100; otherwise the AQI is published as NA (with the
    pollutants' concentrations and IAQIs). 5.3.2 (a pollutant outside the station's monitoring plan
    that has not been a primary pollutant for three years does not block publication) needs the
    station's plan, which the warehouse does not hold: every pollutant counts as monitored.
    HJ 633-2012 has no such rule: every computed AQI is published.
    sub_indices: one array per pollutant of the report.
    """
    code = np.isnan(aqi_values).astype(np.int8)  # 0 published, 1 none, 2 NA (strings taken once at the end)
    if edition == "2026" and len(code):
        incomplete = np.zeros(len(code), dtype=bool)
        for sub in sub_indices:
            incomplete |= np.isnan(sub)
        code[incomplete & ~np.isnan(aqi_values) & ~(aqi_values > 100)] = 2
    return np.array(["published", "none", "NA"], dtype=object).take(code)


def _concentrations(values: pd.Series, column: str) -> np.ndarray:
    """A column as floats rounded to its published precision (text -> NaN)."""
    if values.dtype.kind != "f":
        values = pd.to_numeric(values, errors="coerce")
    return round_half_even(values.to_numpy(dtype=float), DECIMALS.get(column.split("_")[0], 0))


def primary_pollutants(sub_indices: list[np.ndarray], aqi_values: np.ndarray, names: list[str]) -> pd.Categorical:
    """Primary pollutant(s): those whose IAQI equals the AQI, only when AQI > 50.

    HJ 633-2012 clause 6.2, HJ 633-2026 4.3.1 (首要污染物). ``sub_indices`` is one array per
    name of ``names``; names are joined with ``;`` in that order. Empty string when AQI <= 50 or missing.
    """
    aqi_values = np.asarray(aqi_values, dtype=float)
    reported = np.nan_to_num(aqi_values, nan=0.0) > 50
    mask = np.zeros(len(aqi_values), dtype=np.int64)  # which pollutants tie for the AQI, as bits
    for i, sub in enumerate(sub_indices):
        mask |= ((sub == aqi_values) & reported).astype(np.int64) << i
    joined = [";".join(c for i, c in enumerate(names) if m >> i & 1) for m in range(1 << len(names))]
    return pd.Categorical.from_codes(mask, joined)
