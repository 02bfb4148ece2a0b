"""Acid rain: frequency and rainfall-weighted mean pH of precipitation samples.

Acid rain is precipitation with pH < 5.6 (the national convention of acid-rain monitoring, HJ/T 165-2004
and MEE bulletins). Acid-rain frequency (酸雨率) = acid samples / samples x 100 %. The period's mean pH
weights the hydrogen-ion concentration, not the pH, by rainfall (HJ/T 165-2004):
[H+] = sum(10^-pH_i x P_i) / sum(P_i), mean pH = -log10([H+]).
"""

from __future__ import annotations

import numpy as np

ACID_RAIN_PH = 5.6
"""Precipitation below this pH is acid rain."""


def acid_samples(ph) -> int:
    """How many samples are acid rain (pH < 5.6); samples without a pH are not counted."""
    values = np.asarray(ph, dtype=float)
    return int(np.sum(values < ACID_RAIN_PH))


def acid_rain_frequency(ph) -> float:
    """Share of samples with pH < 5.6 [%]; NaN without samples. ph: pH of each sample."""
    values = np.asarray(ph, dtype=float)
    values = values[~np.isnan(values)]
    return float(100.0 * np.mean(values < ACID_RAIN_PH)) if values.size else float("nan")


def weighted_mean_ph(ph, rainfall_mm) -> float:
    """Rainfall-weighted mean pH: -log10(sum(10^-pH x P) / sum(P)) [pH]; samples without pH or
    rainfall are left out; NaN when no rain is left."""
    ph = np.asarray(ph, dtype=float)
    rain = np.asarray(rainfall_mm, dtype=float)
    keep = ~np.isnan(ph) & ~np.isnan(rain) & (rain > 0)
    if not keep.any():
        return float("nan")
    hydrogen = np.sum(10.0 ** (-ph[keep]) * rain[keep]) / np.sum(rain[keep])
    return float(-np.log10(hydrogen))
