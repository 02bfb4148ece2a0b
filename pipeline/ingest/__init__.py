"""Readers, one module per source format. Each maps its source's labels and sentinels to the
canonical record layout below, once; nothing downstream sees a source's own names.

Canonical hourly air records (one row per station, hour and item):
``source_file, source_row, record_key, station_code, hour_end, pollutant, value, raw_value, unit, flag,
raw_record``. ``hour_end`` is the hour-ending local time (Asia/Shanghai), NaT when unparseable;
``record_key`` tells records of one source line apart (the station column of a wide file);
``value`` is NaN when the raw text is not a number; ``raw_record`` keeps what was read.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pandas as pd

RECORD_COLUMNS = [
    "source_file",
    "source_row",
    "record_key",
    "station_code",
    "hour_end",
    "pollutant",
    "value",
    "raw_value",
    "unit",
    "flag",
    "raw_record",
]


class IngestError(ValueError):
    """A file that cannot be read as a whole (wrong format, truncated, undecodable). Nothing of it
    is loaded; the message names the file and the problem."""

    def __init__(self, path: Path | str, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


MAX_INPUT_BYTES = 256 * 1024 * 1024
"""The largest input file read (a national day is a few MB, a month of HJ 212 uploads some tens): above
it a file is refused before it is read, so no single input can take the machine's memory."""


def require_regular(path: Path | str) -> Path:
    """``path`` if it is a regular file of at most :data:`MAX_INPUT_BYTES`; else IngestError, decided from
    ``stat`` alone: a FIFO, device, socket or folder (or a link to one) is never opened, so it cannot block
    or feed a reader for ever. A missing file raises FileNotFoundError."""
    path = Path(path)
    info = os.stat(path)  # follows links; raises FileNotFoundError
    if not stat.S_ISREG(info.st_mode):
        raise IngestError(path, "not a regular file (a FIFO, device, socket or folder): not read")
    if info.st_size > MAX_INPUT_BYTES:
        raise IngestError(path, f"{info.st_size:,} bytes, more than the {MAX_INPUT_BYTES:,} read at most: split it")
    return path


def read_text(path: Path) -> str:
    """A data file's text: UTF-8 (a BOM is dropped). Raises IngestError when it is not a regular file of a
    sane size (:func:`require_regular`) or not text."""
    data = require_regular(path).read_bytes()
    if not data.strip():
        raise IngestError(path, "file is empty")
    if b"\x00" in data[:4096]:
        raise IngestError(path, "file is binary, not CSV text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise IngestError(
            path,
            f"not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start}); "
            "re-encode it as UTF-8 (GBK files are read only where a format says so)",
        ) from None


def empty_records() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in RECORD_COLUMNS})


log = logging.getLogger(__name__)


def landed(landing_dir: Path | str) -> list[Path]:
    """The files of a landing folder that may be read, in name order: regular files that are inside the
    folder once links are resolved. A link out of the folder, or to a FIFO, device, socket or folder, is
    skipped with a warning naming it (``repr``), without being opened: a landing folder is a boundary, and
    nothing outside it, nor its content, reaches the warehouse or an error message."""
    folder = Path(landing_dir)
    root = folder.resolve()
    kept = []
    for path in sorted(folder.iterdir()):
        target = path.resolve()
        if not target.is_relative_to(root):
            log.warning("skipped %r: a link out of the landing folder", path.name)
            continue
        try:
            mode = os.stat(target).st_mode  # stat, not open: a FIFO would block a reader
        except OSError:
            log.warning("skipped %r: a broken link or vanished file", path.name)
            continue
        if stat.S_ISREG(mode):
            kept.append(path)
        elif not stat.S_ISDIR(mode):
            log.warning("skipped %r: not a regular file", path.name)
    return kept
