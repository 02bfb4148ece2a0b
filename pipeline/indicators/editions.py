"""Which edition of the air standards applies to a date.

GB 3095-2012 / HJ 633-2012 / HJ 663-2013 apply to data before 2026-03-01. GB 3095-2026,
HJ 633-2026 and HJ 663-2026 took effect on 2026-03-01 (MEE announcement, February 2026; see
``shared/reference/README.md``). Their tables were not found in an authoritative text, so they are
**not shipped**: values dated on or after 2026-03-01 are computed with the 2012 tables and carry the
edition marker :data:`EDITION_2012_IN_LIEU_OF_2026`, so nobody mistakes them for 2026-edition values.
Add a 2026 edition only from the published standard, never from news reports.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

EDITION_2012 = "2012"
"""GB 3095-2012 limits, HJ 633-2012 AQI, HJ 663-2013 evaluation."""

EDITION_2012_IN_LIEU_OF_2026 = "2012 tables (2026 edition in force, tables not loaded)"
"""Marker for values dated on/after 2026-03-01 but computed with the 2012 tables."""

EDITION_2026_EFFECTIVE = dt.date(2026, 3, 1)
"""GB 3095-2026, HJ 633-2026 and HJ 663-2026 effective date."""

SHIPPED_EDITIONS = {EDITION_2012: dt.date(2012, 2, 29)}
"""Editions whose tables are in this package (the keys of ``aqi.BREAKPOINTS_BY_EDITION`` and
``evaluation.GRADE_II_LIMITS_BY_EDITION``), with the date each was issued."""


def tables_edition(date) -> str:
    """The shipped edition whose tables apply on ``date``: the newest shipped edition issued on or
    before it. While 2026 is not shipped that is 2012 for every date; :func:`edition_for` then marks
    dates from 2026-03-01."""
    day = pd.Timestamp(date).date()
    issued = [e for e, d in sorted(SHIPPED_EDITIONS.items(), key=lambda kv: kv[1]) if d <= day]
    return issued[-1] if issued else EDITION_2012


def edition_for(dates) -> np.ndarray | str:
    """Edition marker for each date [date, Timestamp, or a Series/array of them].

    Returns a string for a scalar, an object array for an array-like.
    """
    if isinstance(dates, (dt.date, pd.Timestamp, str)):
        date = pd.Timestamp(dates).date()
        return EDITION_2012 if date < EDITION_2026_EFFECTIVE else EDITION_2012_IN_LIEU_OF_2026
    stamps = pd.to_datetime(pd.Series(dates)).to_numpy()
    return np.where(stamps < np.datetime64(EDITION_2026_EFFECTIVE), EDITION_2012, EDITION_2012_IN_LIEU_OF_2026).astype(
        object
    )
