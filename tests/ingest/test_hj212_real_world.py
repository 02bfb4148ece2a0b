"""HJ 212 logs as they really arrive (issue 16): a noise line after a valid upload, the same upload re-sent,
a flag-B reading and an HJ/T 212-2005 packet load every valid reading exactly once, value by value."""

from __future__ import annotations

import datetime as dt
import tracemalloc

import pandas as pd
import pytest
import sqlalchemy as sa

from pipeline.ingest.hj212 import frame, split_log
from pipeline.jobs import sources
from pipeline.windows import day_window

MN = "QZ0001A8900016F0001"  # outlet QZS01 (data/reference/source_outlets_quzhou.csv)


def upload(qn: str, hour: int, cp: str) -> str:
    return frame(f"QN={qn};ST=31;CN=2061;PW=123456;MN={MN};Flag=4;CP=&&DataTime=20190701{hour:02d}0000;{cp}&&").strip()


def test_split_log_keeps_a_complete_message_whole_before_a_noise_line():
    first = upload("20190701010000000", 1, "a21026-Avg=100.5,a21026-Flag=N")
    wrapped = upload("20190701020000000", 2, "a21026-Avg=90.0,a21026-Flag=N")
    text = "\n".join([first, "AT+CSQ +CSQ: 21,99", wrapped[:60], wrapped[60:], "OK"])
    assert split_log(text) == [(1, first), (2, "AT+CSQ +CSQ: 21,99"), (3, wrapped), (5, "OK")]


def test_a_real_world_log_loads_every_valid_reading_exactly_once(warehouse, tmp_path):
    first = upload("20190701010000000", 1, "a21026-Avg=100.5,a21026-Flag=N;a21002-Avg=55.0,a21002-Flag=N")
    resent = upload("20190701011500000", 1, "a21026-Avg=100.5,a21026-Flag=N;a21002-Avg=55.0,a21002-Flag=N")
    flag_b = upload("20190701020000000", 2, "a34013-Avg=10.0,a34013-Flag=B;a21026-Avg=80.0,a21026-Flag=N")
    old_codes = upload("20190701030000000", 3, "02-Avg=70.0,02-Flag=N;03-Avg=40.0,03-Flag=N;S01-Avg=8.0,S01-Flag=N")
    command = frame("QN=20190701040000000;ST=91;CN=1011;PW=123456;MN=" + MN + ";Flag=4;CP=&&RtdInterval=30&&").strip()
    log = tmp_path / "landing" / "hj212_2019-07.log"
    log.parent.mkdir()
    log.write_text("\n".join([first, "+++ modem heartbeat +++", resent, flag_b, old_codes, command]) + "\n")
    window = day_window(dt.date(2019, 7, 1))
    staged = sources.ingest(warehouse, log.parent, window, tmp_path / "s")
    loaded = sources.load(warehouse, sources.validate(warehouse, staged))
    with warehouse.connect() as conn:
        readings = pd.read_sql(
            sa.text("SELECT period_start, item, value, flag FROM source_reading ORDER BY 1, 2"), conn
        )
        quarantine = pd.read_sql(sa.text("SELECT source_row, reason FROM quarantine ORDER BY source_row"), conn)
    got = [(str(r.period_start)[11:16], r.item, r.value, r.flag) for r in readings.itertuples()]
    assert got == [
        ("01:00", "nox", 55.0, "N"), ("01:00", "so2", 100.5, "N"),   # the first upload, once
        ("02:00", "pm", 10.0, "B"), ("02:00", "so2", 80.0, "N"),     # flag B accepted (not counted as normal)
        ("03:00", "nox", 40.0, "N"), ("03:00", "o2", 8.0, "N"), ("03:00", "so2", 70.0, "N"),  # 2005 codes mapped
    ]  # fmt: skip
    reasons = dict(zip(quarantine["source_row"], quarantine["reason"], strict=True))
    assert "no ## header" in reasons[2]  # the noise line, alone
    assert reasons[3] == "duplicate of row 1"  # each of the re-sent readings
    assert "CN 1011 is not an hourly (2061) or daily (2031) upload" in reasons[6]
    assert (quarantine["source_row"] == 3).sum() == 2
    assert loaded["rows_read"] == loaded["rows_loaded"] + loaded["rows_quarantined"] == 7 + 4


def test_min_max_and_cou_are_kept_and_cou_is_the_hours_load(warehouse, tmp_path):
    """HJ 212-2017 uploads send Min, Max and Cou beside Avg: kept in source_reading; the logger's Cou (kg) is
    the hour's load where sent, the concentration x flow product where not."""
    with_cou = upload(
        "20190701010000000", 1,
        "a21026-Min=90.0,a21026-Avg=100.0,a21026-Max=120.0,a21026-Cou=1.25,a21026-Flag=N;"
        "a21002-Avg=50.0,a21002-Flag=N;a19001-Avg=6.0,a19001-Flag=N;a00000-Avg=10.0,a00000-Flag=N",
    )  # fmt: skip
    bad_cou = upload("20190701020000000", 2, "a21026-Avg=80.0,a21026-Cou=lots,a21026-Flag=N")
    log = tmp_path / "landing" / "hj212_2019-07.log"
    log.parent.mkdir()
    log.write_text(f"{with_cou}\n{bad_cou}\n")
    window = day_window(dt.date(2019, 7, 1))
    loaded = sources.load(
        warehouse, sources.validate(warehouse, sources.ingest(warehouse, log.parent, window, tmp_path / "s"))
    )
    sources.daily_values(warehouse, dt.date(2019, 7, 1))
    with warehouse.connect() as conn:
        so2 = conn.execute(sa.text(
            "SELECT value, min_value, max_value, cou_value FROM source_reading WHERE item = 'so2'")).one()  # fmt: skip
        nox = conn.execute(sa.text("SELECT min_value, cou_value FROM source_reading WHERE item = 'nox'")).one()
        reason = conn.execute(sa.text("SELECT reason FROM quarantine")).scalar_one()
        loads = dict(conn.execute(sa.text("SELECT pollutant, load_kg FROM source_outlet_day")).all())
    assert tuple(so2) == (100.0, 90.0, 120.0, 1.25) and tuple(nox) == (None, None)
    assert reason == "a21026-Cou='lots' is not a number" and loaded["rows_quarantined"] == 1
    assert loads["so2"] == 1.25  # the logger's amount, not 100 mg/m3 x 36,000 m3/h x 1e-6 = 3.6 kg
    assert loads["nox"] == pytest.approx(50.0 * 10.0 * 3600 * 1e-6)


def test_a_garbled_long_line_is_rejected_alone_without_parsing(tmp_path):
    from pipeline.ingest.sources import MAX_MESSAGE_CHARS, read

    good = upload("20190701010000000", 1, "a21026-Avg=100.5,a21026-Flag=N")
    garbled = "##0300" + "\x7f~" * 150_000  # 300 KB of line noise that happens to start like a message
    log = tmp_path / "hj212_2019-07.log"
    after = upload("20190701020000000", 2, "a21026-Avg=90.5,a21026-Flag=N")
    log.write_text("\n".join([good, garbled, after]) + "\n")
    tracemalloc.start()
    try:
        records, rejects = read(log)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20, f"{peak:,} bytes"  # numpy's arrays are traced too; it took 3 GB before
    assert records["value"].tolist() == [100.5, 90.5]
    (reason,) = rejects["reason"]
    assert (
        reason == f"HJ 212: framing: 300,006 characters, longer than any HJ 212 message ({MAX_MESSAGE_CHARS:,} at most)"
    )
    assert len(rejects["raw_record"].iloc[0]) < 300


def test_crcs_in_blocks_equal_the_standards_loop():
    import random

    from pipeline.ingest import hj212

    rng = random.Random(212)
    segments = [bytes(rng.randrange(32, 127) for _ in range(rng.randrange(0, 400))) for _ in range(300)]
    saved, hj212.CRC_BLOCK = hj212.CRC_BLOCK, 7  # many blocks of mixed lengths
    try:
        got = hj212.crc16_many(segments).tolist()
    finally:
        hj212.CRC_BLOCK = saved
    assert got == [hj212.crc16_bitwise(s) for s in segments]
