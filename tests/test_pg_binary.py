"""PostgreSQL's binary COPY format (pipeline/store/pg_binary.py): the bytes the documentation specifies, and a
round trip through a real server (with text that CSV would need to quote: quotes, tabs, new lines,
backslashes, Chinese)."""

from __future__ import annotations

import struct

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from pipeline.store import pg_binary
from pipeline.store.postgres import copy_frame

TYPES = ["character varying", "timestamp without time zone", "double precision", "boolean", "text"]


def test_header_and_trailer_are_the_documented_ones():
    # PostgreSQL documentation, COPY, "Binary Format": 11-byte signature, flags, header extension length.
    assert pg_binary.HEADER == b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8
    assert pg_binary.TRAILER == b"\xff\xff"


def test_one_row_is_encoded_field_by_field():
    frame = pd.DataFrame(
        {
            "code": ["1264A"],
            "at": [pd.Timestamp("2000-01-01 00:00:01")],  # 1 s after PostgreSQL's epoch
            "value": [1.5],
            "flag": [True],
            "name": ["衢州"],
        }
    )
    expected = (
        b"\x00\x05"  # five fields
        + b"\x00\x00\x00\x05" + b"1264A"
        + b"\x00\x00\x00\x08" + (1_000_000).to_bytes(8, "big")  # microseconds since 2000-01-01
        + b"\x00\x00\x00\x08" + struct.pack(">d", 1.5)
        + b"\x00\x00\x00\x01" + b"\x01"
        + b"\x00\x00\x00\x06" + "衢州".encode()  # UTF-8 bytes, not characters
    )  # fmt: skip
    assert pg_binary.copy_rows(frame, TYPES) == expected


def test_missing_values_are_null_and_empty_text_stays_empty():
    frame = pd.DataFrame(
        {
            "code": [None, ""],
            "at": [pd.NaT, pd.Timestamp("1999-12-31 23:00")],
            "value": [np.nan, -0.25],
            "flag": [None, False],
            "name": ["a", None],
        }  # fmt: skip
    ).astype({"flag": object})
    null = b"\xff\xff\xff\xff"
    first = b"\x00\x05" + null * 4 + b"\x00\x00\x00\x01a"
    second = (
        b"\x00\x05" + b"\x00\x00\x00\x00"
        + b"\x00\x00\x00\x08" + (-3_600_000_000).to_bytes(8, "big", signed=True)  # before the epoch
        + b"\x00\x00\x00\x08" + struct.pack(">d", -0.25)
        + b"\x00\x00\x00\x01\x00" + null
    )  # fmt: skip
    assert pg_binary.copy_rows(frame, TYPES) == first + second


def test_rows_keep_their_order_whatever_the_lengths():
    frame = pd.DataFrame({"item": ["o3_8h_24h", "co", "pm25", "co", "o3_8h_24h"]})
    data = pg_binary.copy_rows(frame, ["text"])
    decoded, position = [], 0
    while position < len(data):
        assert data[position : position + 2] == b"\x00\x01"
        length = int.from_bytes(data[position + 2 : position + 6], "big")
        decoded.append(data[position + 6 : position + 6 + length].decode())
        position += 6 + length
    assert decoded == list(frame["item"])


def test_unknown_types_and_miscounted_columns_are_refused():
    with pytest.raises(ValueError, match="integer"):
        pg_binary.copy_rows(pd.DataFrame({"n": [1]}), ["integer"])
    with pytest.raises(ValueError, match="1 columns but 2 types"):
        pg_binary.copy_rows(pd.DataFrame({"n": [1.0]}), ["double precision", "text"])
    assert pg_binary.copy_rows(pd.DataFrame({"n": []}), ["double precision"]) == b""
    aware = pd.DataFrame({"at": pd.to_datetime(["2019-07-01 08:00"]).tz_localize("Asia/Shanghai")})
    with pytest.raises(ValueError, match="column at: times with a time zone"):  # would silently become UTC
        pg_binary.copy_rows(aware, ["timestamp without time zone"])
    with pytest.raises(ValueError, match="column ok: boolean values expected"):  # "false" is not False
        pg_binary.copy_rows(pd.DataFrame({"ok": ["false", "true"]}), ["boolean"])


def test_text_in_the_client_encoding():
    frame = pd.DataFrame({"name": ["衢州"]})
    assert pg_binary.copy_rows(frame, ["text"], "gbk") == b"\x00\x01\x00\x00\x00\x04" + "衢州".encode("gbk")


def test_round_trip_through_postgresql(pg_warehouse):
    rng = np.random.default_rng(811)
    names = ["衢州市", "O'Brien; DROP TABLE air_hourly;--", 'say "hi"', "tab\there", "line\nbreak", "back\\slash", ""]
    rows = 120_000  # more than one COPY chunk
    frame = pd.DataFrame(
        {
            "name": pd.Series(rng.choice(names, rows)).where(rng.random(rows) > 0.05, None),
            "at": pd.Series(pd.Timestamp("2019-07-01") + pd.to_timedelta(rng.integers(0, 10**6, rows), unit="s"))
            .where(rng.random(rows) > 0.05),
            "value": np.where(rng.random(rows) > 0.05, rng.normal(0, 1e3, rows), np.nan),
            "ok": pd.Series(rng.random(rows) > 0.5, dtype=object).where(rng.random(rows) > 0.05, None),
            "row_no": pd.Series(np.arange(rows)).astype(str),
        }
    )  # fmt: skip
    with pg_warehouse.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE binary_round_trip (name VARCHAR(60), at TIMESTAMP, value DOUBLE PRECISION, "
                "ok BOOLEAN, row_no TEXT NOT NULL)"
            )
        )
        assert copy_frame(conn, "binary_round_trip", frame) == rows
        back = pd.read_sql(sa.text("SELECT * FROM binary_round_trip ORDER BY row_no::int"), conn)
        conn.execute(sa.text("DROP TABLE binary_round_trip"))

    def as_list(column: pd.Series) -> list:
        return column.astype(object).where(column.notna(), None).tolist()

    assert as_list(back["name"]) == as_list(frame["name"])
    assert (pd.to_datetime(back["at"]).isna() == frame["at"].isna()).all()
    assert (pd.to_datetime(back["at"]).dropna() == frame["at"].dropna()).all()
    np.testing.assert_array_equal(back["value"].to_numpy(dtype=float), frame["value"].to_numpy(dtype=float))
    assert as_list(back["ok"]) == as_list(frame["ok"])
