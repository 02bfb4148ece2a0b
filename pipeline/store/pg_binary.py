"""PostgreSQL's binary ``COPY`` format, written from a DataFrame with numpy (no Python loop over rows).

The server reads the binary format about twice as fast as CSV: it need not parse timestamps and
numbers from text (bench/results.md, "PostgreSQL load"). Layout (PostgreSQL documentation, "COPY",
section "Binary Format"): a header (the 11-byte signature, a 32-bit flags field, a 32-bit header
extension length), then per row a 16-bit field count and per field a 32-bit byte length (-1 for NULL)
followed by the value in its type's binary send format, all big-endian; then a 16-bit -1 trailer.

Send formats used (PostgreSQL's ``*send`` functions): ``text``/``varchar`` the bytes in the connection's
client encoding; ``timestamp`` (without time zone) a 64-bit integer of microseconds since 2000-01-01
00:00 (times with a time zone are refused: the warehouse's timestamps are local time without one);
``double precision`` an IEEE 754 float8; ``boolean`` one byte 0 or 1 (only real booleans are accepted:
the text "false" is not a false).

Each column becomes a block of bytes, one row per record: fixed-width types directly from a structured
numpy array; text from a table of its distinct values (encoded once) indexed by each row's code. The
blocks side by side, with the padding of short text values masked out, are the rows in their order
(the order matters: a primary key built over rows sorted by it is built twice as fast).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
TRAILER = (-1).to_bytes(2, "big", signed=True)

# PostgreSQL type (as format_type() names it) -> how its values are sent.
TEXT_TYPES = {"text", "character varying", "character"}
FIXED_TYPES = {"timestamp without time zone": ">i8", "double precision": ">f8", "boolean": "u1"}

_POSTGRES_EPOCH_US = np.datetime64("2000-01-01T00:00:00", "us").astype(np.int64)
_NULL = np.frombuffer((-1).to_bytes(4, "big", signed=True), np.uint8)


def supported(type_name: str) -> bool:
    """Whether :func:`copy_rows` can send values of this PostgreSQL type."""
    return type_name in TEXT_TYPES or type_name in FIXED_TYPES or type_name.startswith("character varying")


def copy_rows(frame: pd.DataFrame, types: list[str], encoding: str = "utf-8") -> bytes:
    """The rows of ``frame`` in COPY's binary format, without header and trailer (so that chunks of
    a frame can follow one another between one :data:`HEADER` and one :data:`TRAILER`).

    ``types`` are the target columns' PostgreSQL types, in the frame's column order; ``encoding`` the
    connection's client encoding (a Python codec name). Missing values (None, NaN, NaT) are sent as
    NULL; text is sent verbatim (an empty string stays empty). A value that does not fit its column's
    type is a ValueError naming the column."""
    if len(types) != frame.shape[1]:
        raise ValueError(f"{frame.shape[1]} columns but {len(types)} types")
    rows = len(frame)
    if rows == 0:
        return b""
    field_count = np.frombuffer(frame.shape[1].to_bytes(2, "big"), np.uint8)
    blocks = [(np.broadcast_to(field_count, (rows, 2)), None)]
    for (name, values), type_name in zip(frame.items(), types, strict=True):
        if not supported(type_name):
            raise ValueError(f"column {name}: PostgreSQL type {type_name} has no binary COPY encoder here")
        if type_name in FIXED_TYPES:
            blocks.append(_fixed_block(name, values, type_name))
        else:
            blocks.append(_text_block(values, encoding))
    matrix = np.hstack([block for block, _ in blocks])
    if all(used is None for _, used in blocks):
        return matrix.tobytes()
    used = np.hstack([np.ones(block.shape, bool) if used is None else used for block, used in blocks])
    return matrix[used].tobytes()  # row-major: the rows stay in order


def _text_block(values: pd.Series, encoding: str) -> tuple[np.ndarray, np.ndarray | None]:
    """(rows x (4 + longest)) bytes: length then the encoded text; and which bytes are used (None: all)."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)  # missing -> code -1
    encoded = [str(value).encode(encoding) for value in distinct]
    longest = max((len(text) for text in encoded), default=0)
    table = np.zeros((len(encoded) + 1, 4 + longest), np.uint8)  # the last row is NULL (code -1)
    lengths = np.empty(len(encoded) + 1, np.int64)
    for i, text in enumerate(encoded):
        table[i, :4] = np.frombuffer(len(text).to_bytes(4, "big"), np.uint8)
        table[i, 4 : 4 + len(text)] = np.frombuffer(text, np.uint8)
        lengths[i] = 4 + len(text)
    table[-1, :4] = _NULL
    lengths[-1] = 4
    block, used_length = table[codes], lengths[codes]
    if (used_length == used_length[0]).all():
        return block[:, : used_length[0]], None
    return block, np.arange(block.shape[1]) < used_length[:, None]


def _fixed_block(name: str, values: pd.Series, type_name: str) -> tuple[np.ndarray, np.ndarray | None]:
    dtype = np.dtype(FIXED_TYPES[type_name])
    if type_name == "timestamp without time zone":
        times = pd.to_datetime(values)
        if isinstance(times.dtype, pd.DatetimeTZDtype):
            raise ValueError(f"column {name}: times with a time zone for a timestamp without one (make them local)")
        times = times.to_numpy(dtype="datetime64[us]")
        missing = np.isnat(times)
        sent = times.astype(np.int64) - _POSTGRES_EPOCH_US
    elif type_name == "double precision":
        sent = values.to_numpy(dtype="float64", na_value=np.nan)
        missing = np.isnan(sent)
    else:  # boolean
        missing = values.isna().to_numpy()
        present = values[~missing]
        if not (pd.api.types.is_bool_dtype(present) or all(isinstance(v, bool | np.bool_) for v in present.unique())):
            raise ValueError(f"column {name}: boolean values expected, not {present.unique()[:3].tolist()}")
        sent = values.where(~missing, False).to_numpy(dtype=bool)
    record = np.empty(len(values), dtype=[("length", ">i4"), ("value", dtype)])
    record["length"] = dtype.itemsize
    record["value"] = np.where(missing, 0, sent) if missing.any() else sent
    block = record.view(np.uint8).reshape(len(values), 4 + dtype.itemsize)
    if not missing.any():
        return block, None
    block = block.copy()
    block[missing, :4] = _NULL
    used = np.ones(block.shape, bool)
    used[missing, 4:] = False
    return block, used
