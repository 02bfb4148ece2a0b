"""Which edition of the air standards applies to a date: the one switch every air path reads.

Chosen by the **date of the data** (the natural day; the 24:00 reading of 2026-02-28 belongs to
2026-02-28 and so to 2012). Sources: ``shared/reference/README.md`` ("Editions"), the official texts
of GB 3095-2026 and HJ 633-2026 (MEE, February 2026, in force 2026-03-01):

========================  ===============  =================================  ====================
data dated                 AQI              limits (Grade II)                  evaluation
========================  ===============  =================================  ====================
before 2026-03-01          HJ 633-2012      GB 3095-2012 Table 1               HJ 663-2013
2026-03-01 .. 2030-12-31   HJ 633-2026      GB 3095-2026 Table 1, transition   HJ 663-2013 (*)
from 2031-01-01            HJ 633-2026      GB 3095-2026 Table 1, final        HJ 663-2013 (*)
========================  ===============  =================================  ====================

(*) HJ 663-2026 took effect on 2026-03-01 too, but its text is not available: the HJ 663-2013 rules
are kept and every evaluation row says so (:data:`EVALUATION_RULES`, the one place to switch).

Periods: a month or year is evaluated against the **limits in force on its last day** (so all of
2026 is judged against the GB 3095-2026 transition limits); its days keep the AQI of their own
edition (2026-01-01 .. 2026-02-28 on HJ 633-2012, the rest on HJ 633-2026).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

EDITION_2012 = "2012"
"""GB 3095-2012 limits, HJ 633-2012 AQI, HJ 663-2013 evaluation."""

EDITION_2026_TRANSITION = "2026-transition"
"""HJ 633-2026 AQI, GB 3095-2026 transition limits (过渡阶段浓度限值), 2026-03-01 .. 2030-12-31."""

EDITION_2026 = "2026"
"""HJ 633-2026 AQI, GB 3095-2026 final limits, from 2031-01-01."""

EDITION_2026_EFFECTIVE = dt.date(2026, 3, 1)
"""GB 3095-2026, HJ 633-2026 and HJ 663-2026 take effect (GB 3095-2026 clause 1; HJ 633-2026 clause 1)."""

TRANSITION_END = dt.date(2030, 12, 31)
"""Last day of the GB 3095-2026 transition limits (Table 1, 过渡阶段: to 2030-12-31)."""

EVALUATION_RULES = "HJ 663-2013 (HJ 663-2026 文本待发布 text pending)"
"""The evaluation rules applied to data from 2026-03-01: HJ 663-2013, until the HJ 663-2026 text is
available. Change it here (and the rules behind it) when it is."""


@dataclass(frozen=True)
class AirEdition:
    """The air standards in force for one period of data dates."""

    code: str
    """Stored in the ``edition`` column of every air row (``2012``, ``2026-transition``, ``2026``)."""
    aqi: str
    """HJ 633 edition, a key of ``aqi.BREAKPOINTS_BY_EDITION``: ``2012`` or ``2026``."""
    aqi_standard: str
    limits_standard: str
    evaluation: str

    @property
    def label(self) -> str:
        """Chinese-first description for readers (reports, emails, indicator rows)."""
        return f"{self.aqi_standard} · {self.limits_standard} · {self.evaluation}"


EDITIONS = {
    EDITION_2012: AirEdition(EDITION_2012, "2012", "HJ 633-2012", "GB 3095-2012 二级 Grade II", "HJ 663-2013"),
    EDITION_2026_TRANSITION: AirEdition(
        EDITION_2026_TRANSITION,
        "2026",
        "HJ 633-2026",
        "GB 3095-2026 过渡阶段二级 transition Grade II",
        EVALUATION_RULES,
    ),
    EDITION_2026: AirEdition(EDITION_2026, "2026", "HJ 633-2026", "GB 3095-2026 二级 Grade II", EVALUATION_RULES),
}
"""Every edition, by code."""

AQI_EDITIONS = ("2012", "2026")
"""HJ 633 editions the AQI calculator accepts (``--edition``)."""

_STARTS = np.array(["2026-03-01", "2031-01-01"], dtype="datetime64[D]")
_CODES = np.array([EDITION_2012, EDITION_2026_TRANSITION, EDITION_2026], dtype=object)


def edition_for(dates) -> np.ndarray | str:
    """Edition code in force on each date [date, Timestamp, ISO text, or a Series/array of them].

    Returns a string for a scalar, an object array for an array-like. Raises ValueError on a date
    that cannot be read.
    """
    if isinstance(dates, (dt.date, pd.Timestamp, str, np.datetime64)):
        day = np.datetime64(pd.Timestamp(dates).date(), "D")
        return str(_CODES[np.searchsorted(_STARTS, day, side="right")])
    days = pd.to_datetime(pd.Series(dates)).to_numpy().astype("datetime64[D]")
    return _CODES[np.searchsorted(_STARTS, days, side="right")]


def air_edition(date) -> AirEdition:
    """The :class:`AirEdition` in force on ``date``."""
    return EDITIONS[edition_for(date)]


def aqi_edition_for(dates) -> np.ndarray | str:
    """HJ 633 edition (``2012`` or ``2026``) in force on each date; see :func:`edition_for`."""
    codes = edition_for(dates)
    if isinstance(codes, str):
        return EDITIONS[codes].aqi
    return aqi_of(codes)


def aqi_of(codes: np.ndarray) -> np.ndarray:
    """The HJ 633 edition of each edition code, vectorised (every code but ``2012`` uses HJ 633-2026)."""
    return np.where(np.asarray(codes, dtype=object) == EDITION_2012, "2012", "2026").astype(object)


def period_edition(period: str) -> AirEdition:
    """The edition whose limits judge a period (``YYYY`` or ``YYYY-MM``): the one in force on its last
    day (module docstring). 2026 -> transition; 2026-02 -> 2012; 2031 -> final."""
    last = pd.Period(period, freq="Y" if len(period) == 4 else "M").end_time.date()
    return air_edition(last)


def period_label(period: str, day_editions) -> str:
    """Edition text of an indicator row of ``period`` whose days carry ``day_editions`` (codes).

    One edition: its label. Days on both HJ 633 editions (2026): both named with their dates, then the
    limits and evaluation of the period (:func:`period_edition`)."""
    judged = period_edition(period)
    used = sorted({EDITIONS[c].aqi for c in day_editions if c in EDITIONS})
    if not used or used == [judged.aqi]:
        return judged.label
    if len(used) > 1:
        last_2012 = EDITION_2026_EFFECTIVE - dt.timedelta(days=1)
        aqi = f"HJ 633-2012 (至 to {last_2012}) + HJ 633-2026 (自 from {EDITION_2026_EFFECTIVE})"
    else:
        aqi = f"HJ 633-{used[0]}"
    return f"{aqi} · {judged.limits_standard} · {judged.evaluation}"
