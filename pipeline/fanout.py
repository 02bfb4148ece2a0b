"""Validation fanned out over groups of monitoring points, and joined back for one load.

The nightly DAGs split a staged batch by monitoring point (air station, water section, source outlet) into
``QZ811_STATION_GROUPS`` groups, validate each group in a mapped task (Airflow dynamic task mapping, so
Celery or Kubernetes workers share the work), and join the groups back before the batch is loaded in one
transaction. A staged batch is a dict with a ``staging`` folder holding ``records.pkl``; a group's dict
adds ``shard`` and ``shards``, and its files carry the suffix ``_<shard>`` (:func:`part`).
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pandas as pd

ORDER = "ingest_order"  # the record's position in records.pkl, to put the groups back in reading order


def group_of(codes: pd.Series, groups: int) -> np.ndarray:
    """Group 0 ... groups-1 of each monitoring point's code: stable (a checksum of the code, not
    Python's salted hash), so a point is in the same group every night and on every worker."""
    return np.array([zlib.crc32(str(code).encode()) % groups for code in codes], dtype=int)


def part(staged: dict) -> str:
    """The file suffix of a group (``_2``), or "" for a batch validated at once."""
    return f"_{staged['shard']}" if "shard" in staged else ""


def split(staged: dict, groups: int, by: str) -> list[dict]:
    """Split the staged records into ``groups`` groups by the code in column ``by``: every record in
    exactly one group, and all records of a monitoring point (so every possible duplicate) in the same
    one. Writes ``records_<i>.pkl``; returns one staged dict per group."""
    if groups < 1:
        raise ValueError("groups must be at least 1")
    target = Path(staged["staging"])
    records = pd.read_pickle(target / "records.pkl")
    records[ORDER] = np.arange(len(records))
    group = group_of(records[by], groups) if len(records) else np.zeros(0, dtype=int)
    out = []
    for i in range(groups):
        members = records[group == i]
        members.to_pickle(target / f"records_{i}.pkl")
        out.append({**staged, "shard": i, "shards": groups, "shard_rows": len(members)})
    return out


def join(validated: list[dict]) -> dict:
    """The validated groups of one batch joined back: ``valid.pkl`` and ``quarantined.pkl`` with the
    records in the order they were read (records without a reading position, such as the lines a
    reader rejected before validation, after them), for the batch's single load transaction."""
    if not validated:
        raise ValueError("no validated group to join")
    first = validated[0]
    target = Path(first["staging"])
    parts = sorted(validated, key=lambda v: v["shard"])
    if [v["shard"] for v in parts] != list(range(first["shards"])):
        raise ValueError(f"groups missing: got {[v['shard'] for v in parts]} of {first['shards']}")

    def joined(name: str) -> pd.DataFrame:
        frame = pd.concat([pd.read_pickle(target / f"{name}_{v['shard']}.pkl") for v in parts], ignore_index=True)
        return frame.sort_values(ORDER, kind="stable").drop(columns=ORDER).reset_index(drop=True)

    valid, quarantined = joined("valid"), joined("quarantined")
    valid.to_pickle(target / "valid.pkl")
    quarantined.to_pickle(target / "quarantined.pkl")
    merged = {k: v for k, v in first.items() if k not in ("shard", "shards", "shard_rows")}
    return {**merged, "rows_valid": len(valid), "rows_quarantined": len(quarantined), "station_groups": len(parts)}
