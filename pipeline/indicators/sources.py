"""Pollution-source math: oxygen correction, loads, daily values, exceedances and compliance.

Flue gas: concentrations are compared with their limit after conversion to the reference oxygen
content of the emission standard (GB 13223-2011 clause 5.2 / HJ 75-2017): C = C' × (21 − O2_ref) /
(21 − O2), C' the measured (dry, standard-state) concentration [mg/m³] and O2 the measured oxygen [%].
Loads use the measured concentration and the dry standard-state flow: kg/h = C' [mg/m³] × Q [m³/h] × 1e-6.
Wastewater: kg/h = C [mg/L] × Q [m³/h] × 1e-3 (1 mg/L = 1 g/m³). Where the data logger sent the hour's
cumulative amount of the pollutant (HJ 212-2017 field ``Cou``, kg), that amount is the hour's load instead.

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

    hours: ``outlet_code, period_start (hour), item, value, flag`` and optionally ``cou_value`` (kg; long;
    items include ``o2`` and ``flow`` [m³/h]). outlets: ``outlet_code, outlet_type (flue_gas|wastewater), ref_o2_pct``.
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
    # One row per outlet, hour and limited pollutant that has a reading (vectorised: a national night
    # is some 50,000 outlet-days).
    limited = limits.reset_index(drop=True)[["outlet_code", "pollutant", "limit_value", "basis"]]
    limited = limited.assign(limit_order=np.arange(len(limited)))
    obs = frame[frame["flag"].notna()].rename(columns={"item": "pollutant"})
    obs = obs.drop_duplicates(["outlet_code", "hour", "pollutant"], keep="first")
    obs = obs.merge(limited, on=["outlet_code", "pollutant"], how="inner")
    if obs.empty:
        return pd.DataFrame()
    aux = frame[frame["item"].isin(["o2", "flow"])].pivot_table(
        index=["outlet_code", "hour"], columns="item", values="value", aggfunc="first"
    )
    aux = aux.reindex(columns=["o2", "flow"])
    obs = obs.join(aux, on=["outlet_code", "hour"])
    info = outlets.set_index("outlet_code")[["outlet_type", "ref_o2_pct"]]
    obs = obs.join(info, on="outlet_code")
    values = obs["value"].to_numpy(dtype=float)
    flue = (obs["outlet_type"] == "flue_gas").to_numpy()
    compared = np.where(
        flue, o2_corrected(values, obs["o2"].to_numpy(dtype=float), obs["ref_o2_pct"].to_numpy(dtype=float)), values
    )
    load = values * obs["flow"].to_numpy(dtype=float) * np.where(flue, 1e-6, 1e-3)  # load_kg, per row's type
    if "cou_value" in obs:  # the logger's own amount of the hour (HJ 212 Cou, kg) where it sent one
        sent = obs["cou_value"].to_numpy(dtype=float)
        load = np.where(np.isnan(sent), load, sent)
    valid = (obs["flag"] == VALID_FLAG).to_numpy() & ~np.isnan(values)
    conc = np.where(valid, compared, np.nan)
    obs = obs.assign(
        date=obs["hour"].dt.strftime("%Y-%m-%d"),
        valid=valid,
        other=~valid,
        conc=conc,
        over=conc > obs["limit_value"].to_numpy(dtype=float) * (1 + 1e-9),
        load=np.where(valid, load, np.nan),
    )
    keys = ["limit_order", "outlet_code", "date", "pollutant"]
    days = obs.groupby(keys, sort=True).agg(
        valid_hours=("valid", "sum"), other_hours=("other", "sum"), mean=("conc", "mean"), max_hour=("conc", "max"),
        load_kg=("load", "sum"), limit_value=("limit_value", "first"), basis=("basis", "first"), over=("over", "sum"),
    )  # fmt: skip
    others = obs[~obs["valid"] & (obs["flag"] != "")]
    counts = others.groupby([*keys, "flag"], sort=True).size()
    text = (counts.index.get_level_values("flag") + "=" + counts.astype(str).to_numpy()).to_series(index=counts.index)
    days["flags"] = text.groupby(level=keys).agg(";".join).reindex(days.index).fillna("")
    days = days.reset_index()
    hourly = days["basis"] == "hourly"
    mean = days["mean"]
    days["exceeded"] = np.where(hourly, days["over"] > 0, mean.notna() & (mean > days["limit_value"]))
    days["exceed_hours"] = np.where(hourly, days["over"], 0).astype(int)
    days["compliant"] = np.where(mean.isna(), None, ~days["exceeded"]).astype(object)
    days["exceeded"] = days["exceeded"].astype(bool)
    days["mean"] = _round(mean, 3)  # NaN without valid data
    days["max_hour"] = _round(days["max_hour"], 3)
    days["load_kg"] = _round(days["load_kg"], 4)
    days["limit_value"] = days["limit_value"].astype(float)
    days[["valid_hours", "other_hours"]] = days[["valid_hours", "other_hours"]].astype(int)
    columns = ["outlet_code", "date", "pollutant", "valid_hours", "other_hours", "flags", "mean", "max_hour",
               "load_kg", "limit_value", "basis", "exceed_hours", "exceeded", "compliant"]  # fmt: skip
    return days[columns]


def _round(values: pd.Series, digits: int) -> pd.Series:
    """Python's correctly rounded round() on each value (numpy's scaled rounding differs at ties)."""
    return values.map(lambda v: round(v, digits), na_action="ignore").astype(float)


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


def load_totals(days: pd.DataFrame) -> pd.DataFrame:
    """Loads [t] per pollutant for the city and each county (valid hours only)."""
    if days.empty:
        return pd.DataFrame(columns=["scope", "pollutant", "load_t"])
    city = days.groupby("pollutant")["load_kg"].sum().div(1000).rename("load_t").reset_index().assign(scope="衢州")
    county = days.groupby(["county_zh", "pollutant"])["load_kg"].sum().div(1000).rename("load_t").reset_index()
    county = county.rename(columns={"county_zh": "scope"})
    return pd.concat([city, county], ignore_index=True)[["scope", "pollutant", "load_t"]]
