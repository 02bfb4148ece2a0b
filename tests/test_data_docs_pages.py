"""Issue 28, acceptance 2: a Data Docs page built from files holding script in every text field a supplier controls
runs no script in Chromium. The pages are rendered by qz811 from GX's results (pipeline/validate.py data_docs),
every value escaped, nothing loaded from elsewhere."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO, SAMPLE_DATA
from tests.test_html_report import browser_dom, chromium

PAYLOADS = [
    "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">",
    "<script>document.body.setAttribute('data-pwned','script')</script>",
]


def hostile_air(folder):
    """The sample's national files of 2019-07-01/02 with two extra station columns named by the payloads."""
    folder.mkdir()
    for name in ("china_sites_20190701.csv", "china_sites_20190702.csv"):
        lines = (SAMPLE_DATA / "air" / name).read_text(encoding="utf-8").splitlines()
        header = lines[0] + "," + ",".join('"' + p.replace('"', '""') + '"' for p in PAYLOADS)
        body = [line + ",10,20" for line in lines[1:]]
        (folder / name).write_text("\n".join([header, *body]) + "\n", encoding="utf-8")


def hostile_water(path):
    """The sample's lab month with the payloads as section codes and as a value."""
    lines = (SAMPLE_DATA / "water" / "water_manual_2019-07.csv").read_text(encoding="utf-8").splitlines()
    extra = []
    for payload in PAYLOADS:
        fields = lines[1].split(",")
        fields[0] = '"' + payload.replace('"', '""') + '"'
        fields[2] = '"' + payload.replace('"', '""') + '"'
        extra.append(",".join(fields))
    path.write_text("\n".join([*lines, *extra]) + "\n", encoding="utf-8")


def test_script_in_every_supplied_text_runs_nowhere_in_the_data_docs(tmp_path):
    if chromium() is None:
        pytest.skip("no Chromium")
    env = {"QZ811_DB_URL": f"sqlite:///{tmp_path / 'w.db'}", "QZ811_STAGING_DIR": str(tmp_path / "staging"),
           "QZ811_DATA_DOCS_DIR": str(tmp_path / "docs"), "PATH": "/usr/bin:/bin"}  # fmt: skip
    hostile_air(tmp_path / "air")
    hostile_water(tmp_path / "water.csv")
    for args in (["init-db"], ["ingest", "air", str(tmp_path / "air" / "china_sites_20190701.csv"),
                               str(tmp_path / "air" / "china_sites_20190702.csv")],
                 ["ingest", "water", str(tmp_path / "water.csv")]):  # fmt: skip
        done = subprocess.run([sys.executable, "-m", "pipeline", *args], env=env, cwd=REPO, capture_output=True,
                              text=True, timeout=600)  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
    pages = sorted((tmp_path / "docs").glob("*/*.html"))
    assert {p.parent.name for p in pages} >= {"air_hourly", "water_manual"}
    shown = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text.lower() and "<img" not in text.lower(), page
        assert not re.search(r'(src|href)="(https?:)?//', text), f"{page}: loads from elsewhere"
        shown += text.count("&lt;img src=x onerror=")
        dom = browser_dom(page, tmp_path)
        assert "data-pwned" not in re.search(r"<body[^>]*>", dom).group(0), page
        assert "<img" not in dom.lower() and "<script" not in dom.lower(), page
    assert shown >= 2  # the payloads are on the pages, as text
    shutil.rmtree(tmp_path / "staging", ignore_errors=True)
