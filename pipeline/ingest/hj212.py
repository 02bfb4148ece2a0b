"""HJ 212-2017 messages (污染物在线监控(监测)系统数据传输标准), as logged by a receiving platform.

A message is ``##`` + the data segment's length (4 decimal digits) + the data segment + its CRC (4 hex
digits) + CR LF (HJ 212-2017, clause 6.3.1). The data segment is ``QN=...;ST=..;CN=....;PW=...;MN=...;
Flag=.;CP=&&...&&``; in ``CP`` each value is ``<code>-<field>=<value>`` separated by ``,`` (same pollutant)
or ``;`` (next pollutant), with ``DataTime=YYYYMMDDhhmmss``. Uploads read here: CN 2061 (hourly data)
and CN 2031 (daily data), field ``Avg`` with its ``Flag``; ``Cou`` (cumulative amount) is kept when sent.

CRC: HJ 212-2017 Appendix A's CRC16 (register 0xFFFF; per byte ``reg = (reg >> 8) ^ byte`` then eight
shifts with polynomial 0xA001), over the data segment. The standard's own example message
(``##0101QN=20160801085857223;...;CP=&&RtdInterval=30&&1C80``) is a test case.

Value flags (HJ 212-2017, Table 8): N normal, F stopped (停运), M maintenance (维护), S manual input
(手工输入), D fault (故障), C calibration (校准), T over range (超测上限), B instrument-logger
communication fault (在线监控（监测）仪器仪表与数采仪通讯异常); HJ/T 212-2005 packets may carry P (power
failure, 电源故障). Only N counts toward compliance. HJ/T 212-2005 factor codes (B01, 011, 060, 02, S01, ...)
still sent by older loggers are mapped to the 2017 codes (``data/reference/hj212_2005_to_2017_codes.csv``,
from the 2017 standard's Tables B.1/B.2); the raw record keeps the original.

A platform log is read message by message: a line continues the message before it only while that message
is incomplete (its ``&&`` + CRC not reached yet); any other line that does not start with ``##`` (a
heartbeat, a modem's chatter) is a noise line, quarantined alone, and the next message starts clean.
Rejects name the first rule broken, in the protocol's order: framing, length, CRC, header, command
(not an hourly or daily upload), data time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

FLAGS = {"N": "normal", "F": "stopped", "M": "maintenance", "S": "manual input", "D": "fault",
         "C": "calibration", "T": "over range", "B": "instrument-logger communication fault",
         "P": "power failure (HJ/T 212-2005)"}  # fmt: skip
UPLOADS = {"2061": "hour", "2031": "day"}
"""Command numbers read: hourly (CN 2061) and daily (CN 2031) data."""

CODES = {
    "a21026": "so2", "a21002": "nox", "a34013": "pm", "a19001": "o2", "a00000": "flow", "a01012": "flue_temp",
    "w01018": "cod", "w21003": "nh3n", "w21011": "tp", "w21001": "tn", "w01001": "ph", "w00000": "flow",
    "w20111": "hg", "w20115": "cd", "w20120": "pb", "w20119": "as", "w20117": "cr6",
}  # fmt: skip
"""HJ 212-2017 Appendix B pollutant codes read here -> qz811 item codes (flue gas a*, wastewater w*).
The heavy-metal codes are as recalled from Appendix B (unverified)."""

FLOW_TO_M3H = {"a00000": 3600.0, "w00000": 3.6}
"""HJ 212-2017 flow units (recalled): exhaust a00000 in m³/s, wastewater w00000 in L/s -> m³/h."""


CODES_2005_FILE = Path(__file__).resolve().parents[2] / "data" / "reference" / "hj212_2005_to_2017_codes.csv"


@cache
def codes_2005() -> dict[str, str]:
    """HJ/T 212-2005 factor code -> HJ 212-2017 code (HJ 212-2017 Tables B.1/B.2, column 原编码)."""
    table = pd.read_csv(CODES_2005_FILE, comment="#", dtype=str)
    return dict(zip(table["code_2005"].str.strip(), table["code_2017"].str.strip(), strict=True))


def code_2017(code: str) -> str:
    """A factor code as HJ 212-2017 names it (2005 codes mapped; 2017 codes unchanged)."""
    return codes_2005().get(code, code)


class HJ212Error(ValueError):
    """A message that cannot be accepted; the reason goes to quarantine."""


@dataclass
class Message:
    qn: str
    st: str
    cn: str
    mn: str
    flag: str
    data_time: pd.Timestamp
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # code -> {"Avg": "1.2", "Flag": "N"}


def crc16_bitwise(data: bytes) -> int:
    """HJ 212-2017 Appendix A CRC16 of ``data``, bit by bit as the standard writes it."""
    register = 0xFFFF
    for byte in data:
        register = (register >> 8) ^ byte
        for _ in range(8):
            carry = register & 1
            register >>= 1
            if carry:
                register ^= 0xA001
    return register


def _crc_table() -> tuple[tuple[int, int], ...]:
    """For each value of the register's low byte: what eight shifts of the Appendix A loop XOR in."""
    table = []
    for low in range(256):
        register = low
        for _ in range(8):
            register = (register >> 1) ^ 0xA001 if register & 1 else register >> 1
        table.append(register)
    return tuple(table)


_CRC_TABLE = _crc_table()


def crc16(data: bytes) -> int:
    """HJ 212-2017 Appendix A CRC16 of ``data``: the same as :func:`crc16_bitwise`, a byte at a time
    through a 256-entry table (about 8x faster; a national night checks some 50,000 messages)."""
    register = 0xFFFF
    table = _CRC_TABLE
    for byte in data:
        register = ((register >> 8) ^ byte) & 0xFFFF
        register = (register >> 8) ^ table[register & 0xFF]
    return register


def frame(segment: str) -> str:
    """A complete message for a data segment: header, length, segment, CRC, CR LF."""
    return f"##{len(segment.encode('ascii')):04d}{segment}{crc16(segment.encode('ascii')):04X}\r\n"


_TIME = re.compile(r"^\d{14}$")
_PASSWORD = re.compile(r"(PW=)[^;&\r\n]*")


def mask_password(message: str) -> str:
    """The message with its access password (``PW=``, HJ 212-2017 Table 4) replaced by ``******``: what
    is stored as a raw record, which analysts can read. Checked (CRC) before masking, never after."""
    return _PASSWORD.sub(r"\1******", message)


CRC_BLOCK = 4096
"""Segments whose CRCs are stepped together: a block of similar lengths (sorted), so padding to the
longest is cheap and memory stays at a block's bytes, whatever the log holds."""


def crc16_many(segments: list[bytes]) -> np.ndarray:
    """:func:`crc16` of many segments at once: the same register steps, taken for a block of segments
    together byte position by byte position (numpy), instead of one segment after the other."""
    out = np.zeros(len(segments), dtype=np.int64)
    if not segments:
        return out
    lengths = np.fromiter((len(b) for b in segments), dtype=np.int64, count=len(segments))
    order = np.argsort(lengths, kind="stable")
    table = np.asarray(_CRC_TABLE, dtype=np.int64)
    for start in range(0, len(order), CRC_BLOCK):
        rows = order[start : start + CRC_BLOCK]
        block_lengths = lengths[rows]
        data = np.zeros((len(rows), int(block_lengths.max())), dtype=np.uint8)
        for row, index in enumerate(rows):
            data[row, : block_lengths[row]] = np.frombuffer(segments[index], dtype=np.uint8)
        register = np.full(len(rows), 0xFFFF, dtype=np.int64)
        for position in range(data.shape[1]):
            step = (register >> 8) ^ data[:, position]
            step = (step >> 8) ^ table[step & 0xFF]
            register = np.where(position < block_lengths, step, register)
        out[rows] = register
    return out


@lru_cache(maxsize=4096)
def _data_time(text: str) -> pd.Timestamp:
    """DataTime ``YYYYMMDDhhmmss`` as a Timestamp (cached: a log repeats the same hours)."""
    return pd.Timestamp(dt.datetime.strptime(text, "%Y%m%d%H%M%S"))


def parse(message: str, crc: int | None = None) -> Message:
    """Check and parse one message (CR/LF and surrounding spaces ignored). Raises HJ212Error.

    crc: the segment's CRC when the caller computed it already (:func:`crc16_many`)."""
    text = message.strip()
    if not text.startswith("##"):
        raise HJ212Error("no ## header")
    if len(text) < 10 or not text[2:6].isdigit():
        raise HJ212Error("no 4-digit data length after ##")
    declared = int(text[2:6])
    segment, crc_text = text[6:-4], text[-4:]
    if len(segment.encode("ascii", "replace")) != declared:
        raise HJ212Error(f"data length {len(segment)} but header says {declared} (truncated or joined message)")
    try:
        expected = int(crc_text, 16)
    except ValueError:
        raise HJ212Error(f"CRC {crc_text!r} is not 4 hex digits") from None
    actual = crc16(segment.encode("ascii", "replace")) if crc is None else crc
    if actual != expected:
        raise HJ212Error(f"CRC mismatch: message says {crc_text.upper()}, data gives {actual:04X}")
    head, sep, cp = segment.partition("CP=&&")
    if not sep or not cp.endswith("&&"):
        raise HJ212Error("no CP=&&...&& block")
    fields = dict(part.split("=", 1) for part in head.strip(";").split(";") if "=" in part)
    values: dict[str, dict[str, str]] = {}
    data_time = None
    for part in re.split(r"[;,]", cp[:-2]):
        if not part:
            continue
        key, _, value = part.partition("=")
        if key == "DataTime":
            data_time = value
            continue
        code, dash, name = key.partition("-")
        if dash:
            values.setdefault(code, {})[name] = value
    if fields.get("CN") not in UPLOADS:  # a command or reply, e.g. the standard's Appendix A example
        raise HJ212Error(f"CN {fields.get('CN')} is not an hourly (2061) or daily (2031) upload")
    if data_time is None or not _TIME.match(data_time):
        raise HJ212Error(f"DataTime missing or malformed ({data_time!r})")
    try:
        stamp = _data_time(data_time)
    except ValueError:
        raise HJ212Error(f"DataTime {data_time} is not a date") from None
    return Message(fields.get("QN", ""), fields.get("ST", ""), fields.get("CN", ""), fields.get("MN", ""),
                   fields.get("Flag", ""), stamp, values)  # fmt: skip


def segment_of(message: str) -> bytes:
    """The bytes a message's CRC covers (between the length and the CRC), as :func:`parse` reads them."""
    return message.strip()[6:-4].encode("ascii", "replace")


_COMPLETE = re.compile(r"&&[0-9A-Fa-f]{4}$")


def split_log(text: str) -> list[tuple[int, str]]:
    """Messages of a platform log as (line number where each starts, message text). A message that the
    log wrapped over several lines is joined back while it is incomplete (no ``&&`` + CRC at its end
    yet); any other line without ``##`` is a noise line of its own (rejected as such), so the message
    before it stays whole."""
    messages: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("##"):
            if current:
                messages.append((start, "".join(current)))
            current, start = [stripped], number
        elif current and not _COMPLETE.search(current[-1]):
            current.append(stripped)
        else:
            if current:
                messages.append((start, "".join(current)))
                current = []
            messages.append((number, stripped))  # a noise line: rejected alone
    if current:
        messages.append((start, "".join(current)))
    return messages
