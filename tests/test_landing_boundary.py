"""Landing folders are boundaries: only regular files inside the folder are read. A link out of it (to a
file shaped like /etc/shadow), a FIFO and a link to a device are skipped by name, never opened, and their
content reaches no table, log or error."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import threading

import pandas as pd
import sqlalchemy as sa

from pipeline.ingest import landed
from pipeline.jobs import sources, water
from pipeline.jobs.air import run_day
from pipeline.windows import day_window, month_window
from tests.conftest import REPO, SAMPLE_AIR

SHADOW = "root:$6$Zq9secretsalt$Hc3Vx0pAsswordHash:19000:0:99999:7:::\n"


def booby_trap(folder, outside, stem: str) -> None:
    """Next to the real files: a link out of the folder, a FIFO and a link to a device, named like data."""
    secret = outside / "shadow"
    secret.write_text(SHADOW)
    (folder / f"{stem}_shadow.csv").symlink_to(secret)
    os.mkfifo(folder / f"{stem}_fifo.csv")
    (folder / f"{stem}_zero.csv").symlink_to("/dev/zero")


def within(seconds: float, target):
    box = {}
    thread = threading.Thread(target=lambda: box.update(result=target()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "a reader blocked on a FIFO or device"
    return box["result"]


def everything(engine) -> str:
    with engine.connect() as conn:
        return "".join(
            pd.read_sql(sa.text(f'SELECT * FROM "{t}"'), conn).to_csv() for t in sa.inspect(conn).get_table_names()
        )


def test_landed_keeps_only_regular_files_inside_the_folder(tmp_path, caplog):
    folder, outside = tmp_path / "landing", tmp_path / "outside"
    folder.mkdir(), outside.mkdir()
    (folder / "real.csv").write_text("a\n")
    (folder / "inner_link.csv").symlink_to(folder / "real.csv")  # a link inside the folder is fine
    (folder / "sub").mkdir()
    booby_trap(folder, outside, "x")
    with caplog.at_level(logging.WARNING):
        assert [p.name for p in landed(folder)] == ["inner_link.csv", "real.csv"]
    warned = caplog.text
    assert "'x_shadow.csv': a link out of the landing folder" in warned
    assert "'x_fifo.csv': not a regular file" in warned and "'x_zero.csv'" in warned
    assert "root:" not in warned


def test_the_air_night_reads_its_real_files_and_nothing_else(warehouse, tmp_path, caplog):
    folder, outside = tmp_path / "landing", tmp_path / "outside"
    shutil.copytree(SAMPLE_AIR, folder)
    outside.mkdir()
    booby_trap(folder, outside, "china_sites_20190210")
    with caplog.at_level(logging.INFO):
        result = within(120, lambda: run_day(warehouse, folder, dt.date(2019, 2, 10), tmp_path / "staging"))
    assert result["rows_loaded"] > 0 and result["rows_quarantined"] == 0
    assert "root:" not in everything(warehouse) + caplog.text


def test_water_and_source_folders_too(warehouse, tmp_path, caplog):
    outside = tmp_path / "outside"
    outside.mkdir()
    water_dir, source_dir = tmp_path / "water", tmp_path / "sources"
    shutil.copytree(REPO / "data" / "sample" / "water", water_dir)
    shutil.copytree(REPO / "data" / "sample" / "sources", source_dir)
    booby_trap(water_dir, outside, "water_manual_2019-07")
    (outside / "shadow").unlink()
    booby_trap(source_dir, outside, "hj212_2019-07")
    with caplog.at_level(logging.INFO):
        found = within(120, lambda: water.run_period(warehouse, water_dir, "manual", month_window(2019, 7),
                                                     tmp_path / "s"))  # fmt: skip
        window = day_window(dt.date(2019, 7, 12))
        staged = within(120, lambda: sources.ingest(warehouse, source_dir, window, tmp_path / "s"))
    assert found["rows_loaded"] > 0 and staged["rows_read"] > 0
    assert not [f for f in staged["files"] if "shadow" in f or "fifo" in f or "zero" in f]
    assert "root:" not in everything(warehouse) + caplog.text


def test_a_file_swapped_for_a_link_after_the_listing_is_not_read(warehouse, tmp_path, monkeypatch, caplog):
    """Issue 28.4: the folder is listed and checked, then read by name; a file swapped in between for a link out of
    the folder was followed and its first line printed. Now the opened descriptor must be the file listed."""
    import pytest

    import pipeline.jobs.air as air
    from pipeline.ingest import IngestError, read_bytes

    folder, outside = tmp_path / "landing", tmp_path / "outside"
    shutil.copytree(SAMPLE_AIR, folder)
    outside.mkdir()
    (outside / "shadow").write_text(SHADOW)
    victim = folder / "china_sites_20190210.csv"
    real_landed = air.landed

    def listed_then_swapped(landing_dir):
        files = real_landed(landing_dir)
        victim.unlink()
        victim.symlink_to(outside / "shadow")  # the race, won every time
        return files

    monkeypatch.setattr(air, "landed", listed_then_swapped)
    with caplog.at_level(logging.INFO), pytest.raises(IngestError) as refused:
        run_day(warehouse, folder, dt.date(2019, 2, 10), tmp_path / "staging")
    assert "china_sites_20190210.csv" in str(refused.value) and "changed after the landing folder was listed" in str(
        refused.value
    )
    assert "root:" not in str(refused.value) + everything(warehouse) + caplog.text
    # the same by hand: listed, swapped, read
    victim.unlink()
    shutil.copy(SAMPLE_AIR / "china_sites_20190210.csv", victim)
    assert victim in landed(folder)
    victim.unlink()
    victim.symlink_to(outside / "shadow")
    with pytest.raises(IngestError, match="changed after the landing folder was listed"):
        read_bytes(victim)
