"""Trend projection for targets not yet due.

A target is ``at_risk`` when it is not yet due and the straight line fitted by least squares through its
yearly values so far (at least two years) does not reach the target by the deadline year. With a single
year the current value stands in for the projection.
"""

from __future__ import annotations

import numpy as np


def project(years, values, to_year: int) -> float:
    """Value of the least-squares line through (years, values) at ``to_year``; the only value when there
    is one; NaN with none. NaN values are left out."""
    x = np.asarray(years, dtype=float)
    y = np.asarray(values, dtype=float)
    keep = ~np.isnan(y)
    x, y = x[keep], y[keep]
    if y.size == 0:
        return float("nan")
    if y.size == 1 or np.ptp(x) == 0:
        return float(y[-1])
    slope, intercept = np.polyfit(x, y, 1)
    return float(slope * to_year + intercept)
