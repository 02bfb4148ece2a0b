"""Pollution-source math: oxygen correction, loads, daily values, exceedances and compliance.

Flue gas: concentrations are compared with their limit after conversion to the reference oxygen
content of the emission standard (GB 13223-2011 clause 5.2 / HJ 75-2017): C = C' × (21 − O2_ref) /
(21 − O2), C' the measured (dry, standard-state) concentration [mg/m³] and O2 the measured oxygen [%].
Loads use the measured concentration and the dry standard-state flow: kg/h = C' [mg/m³] × Q [m³/h] × 1e-6.
Wastewater: kg/h = C [mg/L] × Q [m³/h] × 1e-3 (1 mg/L = 1 g/m³).

Only hours flagged N (normal) count toward compliance and means; F, M, S, D, C, T, P hours are
counted apart as data capture (HJ 212-2017 flags; HJ 75-2017 valid-data rules).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

O2_AIR = 21.0
"""Oxygen content of air [%] in the correction formula."""

VALID_FLAG = "N"


def o2_corrected(concentration, o2, ref_o2):
    """Concentration at the reference oxygen content [mg/m³]; NaN when O2 >= 21 % or missing.

    concentration: measured C' [mg/m³]; o2: measured O2 [%]; ref_o2: reference O2 of the standard [%]
    (GB 13223-2011: 6 % for coal-fired boilers, 3 % oil/gas boilers, 15 % gas turbines)."""
    c = np.asarray(concentration, dtype=float)
    o2 = np.asarray(o2, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        result = c * (O2_AIR - np.asarray(ref_o2, dtype=float)) / (O2_AIR - o2)
    result = np.where((o2 >= O2_AIR) | np.isnan(o2), np.nan, result)
    return float(result) if np.ndim(result) == 0 else result


def load_kg(concentration, flow_m3h, outlet_type):
    """Hourly load [kg/h] from concentration (mg/m³ flue gas, mg/L wastewater) and flow [m³/h]."""
    factor = 1e-6 if outlet_type == "flue_gas" else 1e-3
    return np.asarray(concentration, dtype=float) * np.asarray(flow_m3h, dtype=float) * factor


def outlet_days(hours: pd.DataFrame, outlets: pd.DataFrame, limits: pd.DataFrame) -> pd.DataFrame:
    """Daily values per outlet and pollutant from hourly readings.

    hours: ``outlet_code, period_start (hour), item, value, flag`` (long; items include ``o2`` and
    ``flow`` [m³/h]). outlets: ``outlet_code, outlet_type (flue_gas|wastewater), ref_o2_pct``.
    limits: ``outlet_code, pollutant, limit_value, basis (hourly|daily)``.
    Returns one row per outlet, day and limited pollutant: ``valid_hours`` (flag N), ``other_hours``
    (any other flag) and ``flags`` (counts by flag, e.g. ``F=3;M=1``), ``mean`` (valid hours; flue gas at
    the reference O2), ``max_hour`` (same basis), ``load_kg`` (valid hours with a flow), ``limit_value``,
    ``basis``, ``exceed_hours`` (hourly basis: valid hours above the limit), ``exceeded`` (hourly basis:
    any such hour; daily basis: the daily mean above the limit), ``compliant`` (valid data and not
    exceeded; NaN without valid data).
    """
    if hours.empty:
        return pd.DataFrame()
    frame = hours.assign(hour=pd.to_datetime(hours["period_start"]))
    wide = frame.pivot_table(index=["outlet_code", "hour"], columns="item", values="value", aggfunc="first")
    flags = frame.pivot_table(index=["outlet_code", "hour"], columns="item", values="flag", aggfunc="first")
    info = outlets.set_index("outlet_code")
    rows = []
    for limit in limits.itertuples():
        if limit.outlet_code not in wide.index.get_level_values(0) or limit.pollutant not in wide.columns:
            continue
        flag = flags.loc[limit.outlet_code, limit.pollutant]
        present = flag.notna()  # hours with a reading of this pollutant (others are not its hours)
        flag = flag[present]
        values = wide.loc[limit.outlet_code, limit.pollutant][present]
        outlet = info.loc[limit.outlet_code]
        table = wide.loc[limit.outlet_code][present]
        if outlet["outlet_type"] == "flue_gas":
            o2 = table["o2"] if "o2" in table else pd.Series(np.nan, index=table.index)
            compared = pd.Series(o2_corrected(values, o2, outlet["ref_o2_pct"]), index=values.index)
        else:
            compared = values
        flow = table["flow"] if "flow" in table else pd.Series(np.nan, index=table.index)
        load = pd.Series(load_kg(values, flow, outlet["outlet_type"]), index=values.index)
        valid = (flag == VALID_FLAG) & values.notna()
        day = values.index.normalize()
        for date, idx in pd.Series(range(len(values)), index=day).groupby(level=0):
            positions = idx.to_numpy()
            ok = valid.to_numpy()[positions]
            conc = compared.to_numpy()[positions][ok]
            others = flag.to_numpy()[positions][~ok]
            counts = pd.Series(others[others != ""]).value_counts().sort_index()
            mean = float(np.nanmean(conc)) if ok.any() and not np.isnan(conc).all() else np.nan
            over = int(np.sum(conc > limit.limit_value * (1 + 1e-9)))
            exceeded = (over > 0) if limit.basis == "hourly" else (not np.isnan(mean) and mean > limit.limit_value)
            rows.append(
                {
                    "outlet_code": limit.outlet_code,
                    "date": date.date().isoformat(),
                    "pollutant": limit.pollutant,
                    "valid_hours": int(ok.sum()),
                    "other_hours": int((~ok).sum()),
                    "flags": ";".join(f"{k}={v}" for k, v in counts.items()),
                    "mean": None if np.isnan(mean) else round(mean, 3),
                    "max_hour": None if not ok.any() or np.isnan(conc).all() else round(float(np.nanmax(conc)), 3),
                    "load_kg": round(float(np.nansum(load.to_numpy()[positions][ok])), 4),
                    "limit_value": float(limit.limit_value),
                    "basis": limit.basis,
                    "exceed_hours": over if limit.basis == "hourly" else 0,
                    "exceeded": bool(exceeded),
                    "compliant": None if np.isnan(mean) else not exceeded,
                }
            )
    return pd.DataFrame(rows)


def compliance_rate(days: pd.DataFrame) -> tuple[float, int, int]:
    """Compliance of source-days [%]: a source-day is compliant when every limited pollutant with valid
    data is compliant; source-days without valid data are not assessed. Returns (rate, compliant, valid)."""
    assessed = days[days["compliant"].notna()]
    if assessed.empty:
        return np.nan, 0, 0
    per_source_day = assessed.groupby(["outlet_code", "date"])["compliant"].all()
    return 100.0 * per_source_day.mean(), int(per_source_day.sum()), len(per_source_day)


def steady_share(days: pd.DataFrame, key_outlets) -> tuple[float, int, int]:
    """Share of key outlets compliant in every month they were assessed ("稳定达标") [%]."""
    assessed = days[days["compliant"].notna() & days["outlet_code"].isin(list(key_outlets))]
    if assessed.empty:
        return np.nan, 0, 0
    monthly = assessed.assign(month=assessed["date"].str[:7]).groupby(["outlet_code", "month"])["compliant"].all()
    steady = monthly.groupby(level=0).all()
    return 100.0 * steady.mean(), int(steady.sum()), len(steady)
