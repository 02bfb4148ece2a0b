"""Readers, one module per source format. Each maps its source's labels and sentinels to the
canonical record layout below, once; nothing downstream sees a source's own names.

Canonical hourly air records (one row per station, hour and item):
``source_file, source_row, record_key, station_code, hour_end, pollutant, value, raw_value, unit, flag,
raw_record``. ``hour_end`` is the hour-ending local time (Asia/Shanghai), NaT when unparseable;
``record_key`` tells records of one source line apart (the station column of a wide file);
``value`` is NaN when the raw text is not a number; ``raw_record`` keeps what was read.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from pathlib import Path

import numpy as np
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

READER_PROBLEM = "problem"
"""An optional column of a reader's records: non-empty when the reader saw what is wrong with a record
(a formula cell without a cached value, a year that is not a whole number, an infinite value...); such
records are quarantined with that text as reason (:func:`pipeline.validate.run_suite`), before the suite
runs on the rest."""


class IngestError(ValueError):
    """A file that cannot be read as a whole (wrong format, truncated, undecodable). Nothing of it
    is loaded; the message names the file and the problem."""

    def __init__(self, path: Path | str, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{shown(path)}: {problem}")


def shown(path: Path | str) -> str:
    """A file name as it may be printed on one line: as it is when every character is printable, else its
    ``repr`` (a name holding a newline, a terminal escape or undecodable bytes cannot split or forge a line)."""
    text = str(path)
    return text if text.isprintable() else repr(text)


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


MAX_LINE_BYTES = 1024 * 1024
"""The longest line of a text input (a national file's line is ~10 KB, an HJ 212 message at most ~1.1 KB)."""
MAX_CELLS = 10_000_000
"""The most fields (separated by commas, tabs or semicolons, or lines) in a text input: a national day has
under a million; ten million strings stay under ~1 GB in a frame."""

RAW_RECORD_CHARS = 2000
"""The most characters of a record's raw text kept for the quarantine (the file itself holds the rest)."""


def cut_raw_text(text: str, limit: int = RAW_RECORD_CHARS) -> str:
    """A record's raw text as kept: whole up to ``limit`` characters, else its start and how much was cut (a
    line of 2 KB remarks, repeated for every value of its row, filled 465 MB of quarantine: issue 28.6)."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text):,} characters, cut at {limit:,}; the file holds the rest]"


_listed: dict[str, tuple[int, int]] = {}
"""(device, inode) of each landing file when :func:`landed` listed it (absolute path): :func:`read_bytes` reads
a listed path only if the descriptor it opened is that same file."""

_digests: dict[str, str] = {}
"""sha256 of the bytes this process last read from each file (absolute path), see :func:`read_bytes`."""


def read_bytes(path: Path | str) -> bytes:
    """A file's bytes, read once, and their sha256 remembered (:func:`digest_of_read`): the batch that loads
    what was parsed from these bytes is named by them, so a file rewritten or removed after it was read
    cannot change what is loaded nor fail the load half-way. The file is opened without blocking and
    checked again on the open descriptor, so a file swapped for a FIFO after :func:`require_regular`
    is refused too, never waited on; and a file of a landing folder must be, on that descriptor, the very file
    :func:`landed` checked (device and inode), so a file swapped for a link out of the folder between the
    listing and the read is refused without a byte of it read."""
    path = require_regular(path)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise IngestError(path, "not a regular file (a FIFO, device, socket or folder): not read")
        listed = _listed.get(os.path.abspath(path))
        if listed is not None and (info.st_dev, info.st_ino) != listed:  # checked on what was opened, not the name
            raise IngestError(
                path, "changed after the landing folder was listed (replaced, or swapped for a link): not read; "
                "the next run reads it if it is a file of the folder"
            )  # fmt: skip
        chunks, size = [], 0
        while size <= MAX_INPUT_BYTES and (chunk := handle.read(min(max(info.st_size, 1 << 16), 1 << 24))):
            chunks.append(chunk)  # read(n) allocates n bytes at once: ask for what the file holds
            size += len(chunk)
        data = b"".join(chunks)
    if len(data) > MAX_INPUT_BYTES:
        raise IngestError(path, f"more than the {MAX_INPUT_BYTES:,} bytes read at most: split it")
    _digests[os.path.abspath(path)] = hashlib.sha256(data).hexdigest()
    return _gunzipped(path, data) if Path(path).name.lower().endswith(".gz") else data


def _gunzipped(path: Path | str, data: bytes) -> bytes:
    """A ``.gz`` file's content (an archive delivered compressed, e.g. ``china_sites_20190101.csv.gz``), at
    most :data:`MAX_INPUT_BYTES` of it: a decompression bomb is refused before it fills memory. The batch
    is still named by the compressed bytes' digest (what was delivered)."""
    import zlib

    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, MAX_INPUT_BYTES + 1)
    except zlib.error as err:
        raise IngestError(path, f"not a readable gzip file ({err})") from None
    if len(out) > MAX_INPUT_BYTES:
        raise IngestError(path, f"decompresses to more than the {MAX_INPUT_BYTES:,} bytes read at most: split it")
    if not inflater.eof:
        raise IngestError(path, "gzip stream cut off before its end (truncated file)")
    return out


def digest_of_read(path: Path | str) -> str:
    """The sha256 of the bytes this process last read from ``path`` (:func:`read_bytes`); a file never read
    here (a test building a batch by hand) is hashed now."""
    key = os.path.abspath(path)
    if key not in _digests:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return _digests[key]


def read_text(path: Path) -> str:
    """A data file's text: UTF-8 (a BOM is dropped). Raises IngestError when it is not a regular file of a
    sane size (:func:`require_regular`) or not text."""
    return _decoded(path, _checked_bytes(path))


def read_utf8(path: Path | str) -> bytes:
    """:func:`read_text`'s checks but the decoding, the bytes left as they are (a UTF-8 BOM dropped), for
    columnar readers that parse bytes and check UTF-8 themselves (pyarrow's CSV reader refuses invalid
    UTF-8 in a text column; the calculators then read the file with :func:`read_text`, which says where)."""
    return _checked_bytes(path).removeprefix(b"\xef\xbb\xbf")


def _checked_bytes(path: Path | str) -> bytes:
    data = read_bytes(path)
    if not data.strip():
        raise IngestError(path, "file is empty")
    if b"\x00" in data[:4096]:
        raise IngestError(path, "file is binary, not CSV text")
    _check_shape(path, data)
    return data


def _decoded(path: Path | str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise IngestError(
            path,
            f"not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start}); "
            "re-encode it as UTF-8 (GBK files are read only where a format says so)",
        ) from None


def _check_shape(path: Path, data: bytes) -> None:
    """Refuse text whose longest line or number of fields is beyond what any of our formats holds, before
    it is parsed (a garbled line of megabytes, or a file of tiny cells, would take gigabytes in a frame)."""
    cells = data.count(b"\n") + 1 + data.count(b",") + data.count(b"\t") + data.count(b";")
    half = MAX_LINE_BYTES // 2  # a line longer than the limit holds a whole aligned half-limit block with no newline
    if all(data.find(b"\n", i, i + half) >= 0 for i in range(0, len(data), half)):
        if cells > MAX_CELLS:
            raise IngestError(path, f"{cells:,} fields, more than the {MAX_CELLS:,} read from one file: split it")
        return
    raw = np.frombuffer(data, dtype=np.uint8)  # some block has no newline: find the longest line exactly
    ends = np.flatnonzero(raw == 0x0A)
    bounds = np.concatenate(([-1], ends, [len(raw)]))
    longest = int(np.diff(bounds).max()) - 1
    if longest > MAX_LINE_BYTES:
        line = int(np.argmax(np.diff(bounds))) + 1
        raise IngestError(path, f"line {line} is {longest:,} bytes long, more than the {MAX_LINE_BYTES:,} of any "
                                "line of a data file (garbled or not a data file)")  # fmt: skip
    if cells > MAX_CELLS:
        raise IngestError(path, f"{cells:,} fields, more than the {MAX_CELLS:,} read from one file: split it")


def concat_records(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Records of several readers in one frame, in order. A column categorical in every frame stays categorical
    (over the union of the categories): a backfill's month of column-wise national records keeps its codes
    instead of becoming millions of text objects."""
    frames = [f for f in frames if len(f.columns)] or frames
    if len(frames) > 1:
        shared = [c for c in frames[0].columns
                  if all(c in f.columns and isinstance(f[c].dtype, pd.CategoricalDtype) for f in frames)]  # fmt: skip
        if shared:
            union = {c: list(dict.fromkeys(v for f in frames for v in f[c].cat.categories)) for c in shared}
            frames = [f.assign(**{c: f[c].cat.set_categories(union[c]) for c in shared}) for f in frames]
    return pd.concat(frames, ignore_index=True)


def empty_records() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in RECORD_COLUMNS})


log = logging.getLogger(__name__)


def landed(landing_dir: Path | str) -> list[Path]:
    """The files of a landing folder that may be read, in name order: regular files that are inside the
    folder once links are resolved. A link out of the folder, or to a FIFO, device, socket or folder, is
    skipped with a warning naming it (``repr``), without being opened: a landing folder is a boundary, and
    nothing outside it, nor its content, reaches the warehouse or an error message. Each file kept is
    remembered by device and inode, which :func:`read_bytes` checks on the descriptor it opens (a swap after
    the listing is refused)."""
    folder = Path(landing_dir)
    root = folder.resolve()
    kept = []
    for path in sorted(folder.iterdir()):
        target = path.resolve()
        if not target.is_relative_to(root):
            log.warning("skipped %r: a link out of the landing folder", path.name)
            continue
        try:
            info = os.stat(target)  # stat, not open: a FIFO would block a reader
        except OSError:
            log.warning("skipped %r: a broken link or vanished file", path.name)
            continue
        mode = info.st_mode
        if stat.S_ISREG(mode):
            kept.append(path)
            _listed[os.path.abspath(path)] = (info.st_dev, info.st_ino)
        elif not stat.S_ISDIR(mode):
            log.warning("skipped %r: not a regular file", path.name)
    return kept
