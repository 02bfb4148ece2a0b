"""Validation fanned out over groups of monitoring points (pipeline/fanout.py), as the water and source
DAGs map it: split, validate each group, join back. The joined batch must equal validating at once,
record for record and in the same order, with nothing lost or doubled (the air DAG's station groups are
checked the same way in tests/test_nightly.py)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline import fanout
from pipeline.jobs import sources, water
from pipeline.windows import day_window, month_window
from tests.conftest import REPO

SAMPLE = REPO / "data" / "sample"


def assert_same_batch(joined: dict, whole: dict) -> None:
    assert (joined["rows_valid"], joined["rows_quarantined"]) == (whole["rows_valid"], whole["rows_quarantined"])
    for name in ("valid.pkl", "quarantined.pkl"):
        grouped, at_once = (pd.read_pickle(Path(v["staging"]) / name).reset_index(drop=True) for v in (joined, whole))
        pd.testing.assert_frame_equal(grouped, at_once, obj=name, check_dtype=False)


def test_source_outlet_groups_give_the_same_day(warehouse, tmp_path):
    landing = tmp_path / "sources"
    landing.mkdir()
    shutil.copy(SAMPLE / "sources" / "hj212_platform_2019-07.log", landing)
    window = day_window(dt.date(2019, 7, 1))  # has messages the reader rejects (bad CRC, CN 2011)
    whole = sources.validate(warehouse, sources.ingest(warehouse, landing, window, tmp_path / "whole"))
    staged = sources.ingest(warehouse, landing, window, tmp_path / "groups")
    groups = sources.outlet_groups(staged, 3)
    assert sum(g["shard_rows"] for g in groups) == len(pd.read_pickle(Path(staged["staging"]) / "records.pkl"))
    joined = fanout.join([sources.validate(warehouse, g) for g in reversed(groups)])
    assert whole["rows_quarantined"] > 0
    assert_same_batch(joined, whole)  # the reader's rejects once, after the records, as at once
    loaded = sources.load(warehouse, joined)
    assert loaded["rows_loaded"] == whole["rows_valid"]


def test_water_section_groups_give_the_same_month(warehouse, tmp_path):
    window = month_window(2019, 7)
    landing = SAMPLE / "water"
    whole = water.validate(warehouse, water.ingest(landing, "manual", window, tmp_path / "whole"))
    groups = water.section_groups(water.ingest(landing, "manual", window, tmp_path / "groups"), 4)
    assert sum(g["shard_rows"] > 0 for g in groups) >= 2  # the sections really are spread
    assert_same_batch(fanout.join([water.validate(warehouse, g) for g in groups]), whole)


def test_groups_are_stable_and_all_are_needed(tmp_path):
    codes = pd.Series(["1264A", "QZS01", "330800-01"])
    assert fanout.group_of(codes, 4).tolist() == fanout.group_of(codes.copy(), 4).tolist()
    assert set(fanout.group_of(codes, 1)) == {0}
    pd.DataFrame({"code": codes}).to_pickle(tmp_path / "records.pkl")
    groups = fanout.split({"staging": str(tmp_path)}, 2, "code")
    for g in groups:
        frame = pd.read_pickle(tmp_path / f"records_{g['shard']}.pkl")
        frame.to_pickle(tmp_path / f"valid_{g['shard']}.pkl")
        frame.iloc[:0].to_pickle(tmp_path / f"quarantined_{g['shard']}.pkl")
    assert fanout.join(groups)["rows_valid"] == 3
    assert pd.read_pickle(tmp_path / "valid.pkl")["code"].tolist() == codes.tolist()  # reading order
    with pytest.raises(ValueError, match="groups missing"):
        fanout.join(groups[1:])
    with pytest.raises(ValueError, match="at least 1"):
        fanout.split({"staging": str(tmp_path)}, 0, "code")
