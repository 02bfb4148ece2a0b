"""HJ 212-2017 messages written from the standard's text: framing, length, CRC, flags, wrapped lines."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.ingest.hj212 import HJ212Error, crc16, crc16_bitwise, frame, parse, split_log
from pipeline.ingest.sources import read

# HJ 212-2017's own example (clause 6.3 / Appendix A): data segment of 101 bytes, CRC 1C80.
STANDARD_EXAMPLE = "##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80\r\n"
HOURLY = (
    "QN=20190701010000000;ST=31;CN=2061;PW=123456;MN=QZ0001A8900016F0001;Flag=4;"
    "CP=&&DataTime=20190701000000;a21026-Avg=35.2,a21026-Flag=N;a21002-Avg=48.0,a21002-Flag=M;"
    "a19001-Avg=7.10,a19001-Flag=N;a00000-Avg=10.00,a00000-Flag=N&&"
)


def test_crc_of_the_standards_example():
    segment = STANDARD_EXAMPLE[6:-6]
    assert len(segment) == 101 and crc16(segment.encode()) == 0x1C80
    assert frame(segment) == STANDARD_EXAMPLE


def test_hourly_upload_values_and_flags():
    message = parse(frame(HOURLY))
    assert (message.cn, message.mn, message.data_time) == (
        "2061",
        "QZ0001A8900016F0001",
        pd.Timestamp("2019-07-01 00:00"),
    )
    assert message.values["a21026"] == {"Avg": "35.2", "Flag": "N"}
    assert message.values["a21002"]["Flag"] == "M"


@pytest.mark.parametrize(
    "mangle,reason",
    [
        (lambda m: m.replace("a21026-Avg=35.2", "a21026-Avg=35.3"), "CRC mismatch"),  # one digit changed in transit
        (lambda m: m[:-6] + "ZZZZ\r\n", "not 4 hex digits"),
        (lambda m: m[:40] + m[41:], "data length"),  # a byte lost: length and CRC no longer agree
        (lambda m: m[2:], "no ## header"),
        (lambda m: "##9999" + m[6:], "data length"),
    ],
)
def test_bad_messages_are_refused_with_their_reason(mangle, reason):
    with pytest.raises(HJ212Error, match=reason):
        parse(mangle(frame(HOURLY)))


def test_malformed_datatime_is_refused():
    with pytest.raises(HJ212Error, match="DataTime"):
        parse(frame(HOURLY.replace("DataTime=20190701000000", "DataTime=2019070100")))


def test_a_message_wrapped_over_lines_is_joined():
    message = frame(HOURLY).rstrip()
    log = f"{message}\n{message[:70]}\n{message[70:]}\n"
    parts = split_log(log)
    assert [line for line, _ in parts] == [1, 2]
    assert parse(parts[1][1]).values == parse(parts[0][1]).values


def test_log_reader_quarantines_bad_messages_and_keeps_good_values(tmp_path):
    good = frame(HOURLY).rstrip()
    bad_crc = good[:-4] + "0000"
    other_command = frame(
        "QN=1;ST=31;CN=2011;PW=1;MN=QZ0001A8900016F0001;Flag=4;CP=&&DataTime=20190701000000;a21026-Rtd=1,a21026-Flag=N&&"
    ).rstrip()
    future = frame(HOURLY.replace("DataTime=20190701000000", "DataTime=20990701000000")).rstrip()
    path = tmp_path / "platform_2019-07.log"
    path.write_text("\n".join([good, bad_crc, other_command, future]) + "\n")
    records, rejects = read(path)
    assert list(rejects["reason"].str.slice(0, 22)) == ["HJ 212: CRC mismatch: ", "HJ 212: CN 2011 is not"]
    assert list(rejects["source_row"]) == [2, 3]
    assert len(records) == 8  # 4 values of the good message + 4 of the future one (validation rejects those)
    flow = records[(records["source_row"] == 1) & (records["item"] == "flow")].iloc[0]
    assert flow["value"] == 36000.0  # a00000 in m3/s -> m3/h
    assert set(records["item"]) == {"so2", "nox", "o2", "flow"}


def test_table_crc_equals_the_standards_bitwise_loop():
    import random

    rng = random.Random(212)
    cases = [b"", b"\x00", b"\xff" * 7] + [
        bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400))) for _ in range(500)
    ]
    assert all(crc16(data) == crc16_bitwise(data) for data in cases)
    assert (
        crc16_bitwise(
            b"QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&"
        )
        == 0x1C80
    )


def test_crc_of_many_segments_at_once_equals_one_by_one():
    import random

    from pipeline.ingest.hj212 import crc16_many

    rng = random.Random(2017)
    segments = [b"", b"A"] + [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))) for _ in range(300)]
    assert crc16_many(segments).tolist() == [crc16_bitwise(s) for s in segments]
    assert crc16_many([]).tolist() == []
