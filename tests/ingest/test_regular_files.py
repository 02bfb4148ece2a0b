"""Inputs given on the command line are read only when they are regular files (issue 16): a FIFO or a link
to a device is refused by name, at once, without being opened; so is a file over the size limit."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from pipeline.ingest import IngestError, require_regular
from tests.conftest import REPO

COMMANDS = [
    ["ingest", "air"],
    ["ingest", "water"],
    ["ingest", "sources"],
    ["ingest", "statistics"],
    ["ingest", "precipitation"],
    ["ingest", "noise"],
    ["aqi"],
    ["daily-aqi"],
    ["water-class"],
]
WORKBOOK_READERS = [["ingest", "water"], ["ingest", "statistics"], ["ingest", "noise"]]


@pytest.mark.parametrize("kind", ["fifo", "device"])
@pytest.mark.parametrize(
    ("command", "suffix"), [(c, ".csv") for c in COMMANDS] + [(c, ".xlsx") for c in WORKBOOK_READERS]
)
def test_a_fifo_or_device_is_refused_fast_in_one_line(tmp_path, kind, command, suffix):
    path = tmp_path / f"china_sites_20190210{suffix}"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    env = {**os.environ, "QZ811_DB_URL": f"sqlite:///{tmp_path / 'w.db'}"}
    subprocess.run([sys.executable, "-m", "pipeline", "init-db"], env=env, cwd=REPO, capture_output=True, check=True)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pipeline", *command, str(path)], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert time.monotonic() - started < 30
    err = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(err) == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"china_sites_20190210{suffix}" in err[0] and ("not a regular file" in err[0] or "not UTF-8" not in err[0])


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    import pipeline.ingest as ingest

    big = tmp_path / "big.csv"
    big.write_bytes(b"a,b\n" * 1000)
    monkeypatch.setattr(ingest, "MAX_INPUT_BYTES", 1000)
    with pytest.raises(IngestError, match="4,000 bytes, more than the 1,000 read at most"):
        require_regular(big)


def test_garbled_text_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    import pipeline.ingest as ingest
    from pipeline.ingest import read_text

    long_line = tmp_path / "long.csv"
    long_line.write_bytes(b"a,b\n1,2\n" + b"x" * 5000 + b"\n")
    monkeypatch.setattr(ingest, "MAX_LINE_BYTES", 4096)
    with pytest.raises(IngestError, match="line 3 is 5,000 bytes long, more than the 4,096"):
        read_text(long_line)
    cells = tmp_path / "cells.csv"
    cells.write_bytes(b"a,b,c\n" + b",,\n" * 400)
    monkeypatch.setattr(ingest, "MAX_CELLS", 1000)
    with pytest.raises(IngestError, match="1,204 fields, more than the 1,000"):
        read_text(cells)


@pytest.mark.parametrize("command", [["ingest", "air"], ["ingest", "noise"], ["aqi"]])
def test_a_name_that_would_break_the_line_is_printed_safely(tmp_path, command, monkeypatch, capsys):
    from pipeline.cli import main

    monkeypatch.setenv("QZ811_DB_URL", f"sqlite:///{tmp_path / 'w.db'}")
    assert main(["init-db"]) == 0
    path = tmp_path / "china_sites_20190210.csv\nerror: forged line\x1b[2J"
    path.write_bytes(b"")
    capsys.readouterr()
    assert main([*command, str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err and "\\nerror: forged line" in err, err


@pytest.mark.parametrize("offset", [0, 1, 1000, 2047, 2048, 3000])
@pytest.mark.parametrize("length,refused", [(4096, False), (4097, True)])
def test_the_line_limit_holds_wherever_the_long_line_starts(tmp_path, monkeypatch, offset, length, refused):
    """The quick scan (a newline in every aligned half-limit block) and the exact one agree on the limit."""
    import pipeline.ingest as ingest
    from pipeline.ingest import read_text

    monkeypatch.setattr(ingest, "MAX_LINE_BYTES", 4096)
    path = tmp_path / "lines.csv"
    path.write_bytes(b"a\n" + b"1\n" * (offset // 2) + b"x" * length + b"\n" + b"2\n" * 3000)
    if refused:
        with pytest.raises(IngestError, match=f"is {length:,} bytes long"):
            read_text(path)
    else:
        assert read_text(path).count("\n") == 2 + offset // 2 + 3000
