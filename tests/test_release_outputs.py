"""Issue 18, acceptance 2: the warehouse that `make demo`'s steps build from the bundled real samples is, table
by table, the one the release before issue 18's speed work built (commit 72f1611): every table's rows (volatile
columns aside: load times, batch ids) digested in ``tests/data/release_72f1611.json``.

To see what differs: run ``.venv/bin/python tests/test_release_outputs.py OUT.json`` here and in a checkout of
72f1611 (with this file and tests/conftest.py copied in) and compare the two files' ``dump`` entries (``--dump``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DIGESTS = REPO / "tests" / "data" / "release_72f1611.json"
VOLATILE = {"id", "run_id"}
"""Columns that differ between two runs of the same data (with every column ending in ``_at`` or ``batch_id``)."""


def table_dumps(database: Path, folder: Path) -> dict[str, str]:
    """Every table as CSV text of its sorted rows (values as ``repr``), volatile columns left out, the
    repository's and the run folder's paths written as ``<repo>`` and ``<run>``."""
    connection = sqlite3.connect(database)
    dumps = {}
    try:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            columns = [r[1] for r in connection.execute(f'PRAGMA table_info("{table}")')]
            kept = [c for c in columns if c not in VOLATILE and not c.endswith(("_at", "batch_id"))]
            query = f'SELECT {", ".join(chr(34) + c + chr(34) for c in kept)} FROM "{table}"'
            rows = sorted(tuple("" if v is None else repr(v) for v in row) for row in connection.execute(query))
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow(kept)
            writer.writerows(rows)
            dumps[table] = text.getvalue().replace(str(folder), "<run>").replace(str(REPO), "<repo>")
    finally:
        connection.close()
    return dumps


def digests(dumps: dict[str, str]) -> dict[str, dict]:
    return {
        table: {"rows": text.count("\n") - 1, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}
        for table, text in dumps.items()
    }


def test_the_demo_warehouse_is_the_previous_release_s(demo):
    folder, _ = demo
    ours = digests(table_dumps(folder / "warehouse.db", folder))
    expected = json.loads(DIGESTS.read_text(encoding="utf-8"))["tables"]
    assert sorted(ours) == sorted(expected)
    differing = {t: (expected[t]["rows"], ours[t]["rows"]) for t in expected if ours[t] != expected[t]}
    assert not differing, f"tables that differ from release 72f1611 (rows then, now): {differing}"
    assert sum(d["rows"] for d in ours.values()) > 20_000  # the demo loaded what it always loads


if __name__ == "__main__":  # record the digests of this checkout: tests/test_release_outputs.py OUT.json [--dump]
    import os
    import tempfile

    sys.path.insert(0, str(REPO))
    from tests.conftest import demo_settings, run_demo

    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(demo_settings(Path(tmp)))
        os.environ.pop("QZ811_SMTP_HOST", None)
        run_demo()
        dumps = table_dumps(Path(tmp) / "warehouse.db", Path(tmp))
    record = {"release": sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] != "--dump" else "", "tables": digests(dumps)}
    if "--dump" in sys.argv:
        record["dump"] = dumps
    Path(sys.argv[1]).write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
