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


@pytest.mark.parametrize("kind", ["fifo", "device"])
@pytest.mark.parametrize("command", [["ingest", "air"], ["ingest", "water"], ["ingest", "sources"],
                                     ["ingest", "statistics"], ["aqi"], ["daily-aqi"], ["water-class"]])  # fmt: skip
def test_a_fifo_or_device_is_refused_fast_in_one_line(tmp_path, kind, command):
    path = tmp_path / "china_sites_20190210.csv"
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
    assert "china_sites_20190210.csv" in err[0] and ("not a regular file" in err[0] or "not UTF-8" not in err[0])


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    import pipeline.ingest as ingest

    big = tmp_path / "big.csv"
    big.write_bytes(b"a,b\n" * 1000)
    monkeypatch.setattr(ingest, "MAX_INPUT_BYTES", 1000)
    with pytest.raises(IngestError, match="4,000 bytes, more than the 1,000 read at most"):
        require_regular(big)
