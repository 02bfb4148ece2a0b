"""Regional environmental noise (区域声环境) and functional-zone compliance.

City mean: the arithmetic mean of the equivalent sound levels Leq of the city's grid points, day and
night apart (HJ 640-2012 区域声环境监测; recalled). Zone compliance: each point's Leq against its
functional zone's limit in GB 3096-2008, Table 1 (day 06:00-22:00, night 22:00-06:00).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

GB3096_2008_LIMITS = pd.DataFrame(
    [("0", 50, 40), ("1", 55, 45), ("2", 60, 50), ("3", 65, 55), ("4a", 70, 55), ("4b", 70, 60)],
    columns=["zone", "day_dba", "night_dba"],
).set_index("zone")
"""GB 3096-2008, Table 1: environmental noise limits by functional zone [dB(A)]."""

QUIET_CITY_DBA = 55.0
"""The plan's threshold for county-and-above cities' regional noise mean [dB(A)]."""


def city_means(points: pd.DataFrame) -> pd.DataFrame:
    """Mean Leq per city (arithmetic mean over grid points) [dB(A)], rounded to 0.1.

    points: ``city, leq_dba`` (one row per grid point measurement, day or night as chosen).
    Returns ``city, mean_dba, n_points``."""
    grouped = points.groupby("city")["leq_dba"]
    return pd.DataFrame({"mean_dba": grouped.mean().round(1), "n_points": grouped.count()}).reset_index()


def share_below(means: pd.Series, threshold: float = QUIET_CITY_DBA) -> float:
    """Share of cities whose mean is below ``threshold`` [%]."""
    values = np.asarray(means, dtype=float)
    values = values[~np.isnan(values)]
    return float(100.0 * np.mean(values < threshold)) if values.size else float("nan")


def zone_compliant(leq_dba, zone, period: str = "day") -> np.ndarray:
    """True where a point's Leq is within its zone's GB 3096-2008 limit (``period`` day or night)."""
    column = "day_dba" if period == "day" else "night_dba"
    limits = pd.Series(zone).astype(str).map(GB3096_2008_LIMITS[column]).to_numpy(dtype=float)
    return np.asarray(leq_dba, dtype=float) <= limits
