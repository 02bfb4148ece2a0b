"""The reading tables: for each, its key, its time column and how a batch's valid records become its rows.

One definition per table, used by the jobs' loads, the CLI's file loads and the benchmarks alike."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.store.load import ReadingTable


def air_hourly_frame(batch_id: str, valid: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "station_code": valid["station_code"].astype(str),
            "hour_end": valid["hour_end"].astype("datetime64[us]").dt.floor("s"),  # whole seconds, as SQLite keeps them
            "pollutant": valid["pollutant"].astype(str),
            "value": valid["value"].astype(float),
            "unit": valid["unit"].astype(str),
            "flag": valid["flag"].fillna("").astype(str),
            "batch_id": batch_id,
        }
    )


def water_sample_frame(batch_id: str, valid: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "section_code": valid["section_code"].astype(str),
            "sampled_at": valid["sampled_at"]
            .astype("datetime64[us]")
            .dt.floor("s"),  # whole seconds, as SQLite keeps them
            "item": valid["item"].astype(str),
            "value": valid["value"].astype(float),
            "raw_value": valid["raw_value"].astype(str),
            "below_detection": valid["below_detection"].astype(bool),
            "unit": valid["unit"].astype(str),
            "kind": valid["kind"].astype(str),
            "batch_id": batch_id,
        }
    )


AIR_HOURLY = ReadingTable.bulk(
    "air_hourly", ("station_code", "hour_end", "pollutant"), "hour_end", air_hourly_frame, partition="day"
)


def water_samples(kind: str) -> ReadingTable:
    """Manual or automatic water readings; a window replaces only readings of that kind."""
    return ReadingTable.bulk(
        "water_sample", ("section_code", "sampled_at", "item"), "sampled_at", water_sample_frame, {"kind": kind}
    )


def _optional(valid: pd.DataFrame, column: str) -> pd.Series:
    """A column that only some readers send (HJ 212 Min, Max, Cou): NaN (NULL) where absent."""
    return valid[column].astype(float) if column in valid else pd.Series(np.nan, index=valid.index)


def reading_frame(batch_id: str, valid: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "outlet_code": valid["outlet_code"].astype(str),
            "period_start": valid["period_start"]
            .astype("datetime64[us]")
            .dt.floor("s"),  # whole seconds, as SQLite keeps them
            "interval": valid["interval"].astype(str),
            "item": valid["item"].astype(str),
            "value": valid["value"].astype(float),
            "flag": valid["flag"].astype(str),
            **{column: _optional(valid, column) for column in ("min_value", "max_value", "cou_value")},
            "batch_id": batch_id,
        }
    )


SOURCE_READINGS = ReadingTable.bulk(
    "source_reading", ("outlet_code", "period_start", "interval", "item"), "period_start", reading_frame,
    partition="month",
)  # fmt: skip
