"""Issue 18, acceptance 2: the warehouse that `make demo`'s steps built from the bundled real samples (four days,
before issue 24 made the demo a real year: :data:`tests.conftest.FOUR_DAYS`) is, table
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

import pytest

REPO = Path(__file__).resolve().parents[1]
DIGESTS = REPO / "tests" / "data" / "release_72f1611.json"
VOLATILE = {"id", "run_id"}
"""Columns that differ between two runs of the same data (with every column ending in ``_at`` or ``batch_id``)."""
ADDED_SINCE = {"ingest_batch": {"rows_summarised"}}
"""Columns added after the release whose rows repeat what it stored (issue 24's hourly scope: 0 for these days)."""
TABLES_ADDED_SINCE = {"city_ranking", "rank_universe", "report_mail"}
"""Tables added after the release (issue 25: the city ranking, the month reports mailed): not a change of the release's."""


def table_dumps(database: Path, folder: Path, only: dict[str, list[str]] | None = None) -> dict[str, str]:
    """Every table as CSV text of its sorted rows (values as ``repr``), volatile columns left out, the
    repository's and the run folder's paths written as ``<repo>`` and ``<run>``. only: {table: the columns to
    keep} for the tables compared on some of their columns."""
    connection = sqlite3.connect(database)
    dumps = {}
    try:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            columns = [r[1] for r in connection.execute(f'PRAGMA table_info("{table}")')]
            added = ADDED_SINCE.get(table, set())
            kept = [c for c in columns if c not in VOLATILE | added and not c.endswith(("_at", "batch_id"))]
            if only and table in only:
                kept = list(only[table])
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


@pytest.fixture(scope="module")
def four_days(tmp_path_factory):
    """The demo as it was before issue 24 (:data:`tests.conftest.FOUR_DAYS`) run into a fresh folder."""
    from tests.conftest import FOUR_DAYS, demo_in

    return demo_in(tmp_path_factory.mktemp("four_days"), FOUR_DAYS)


def test_the_demo_warehouse_is_the_previous_release_s(four_days):
    """Issue 24 gave ``indicator`` and ``scoreboard`` coverage columns, and a period so far is no longer judged
    met/missed: those two tables are compared on the release's columns whose meaning was kept (the record's
    ``issue_24`` entry: digests of the release's rows on those columns), every other table whole."""
    folder, _ = four_days
    record = json.loads(DIGESTS.read_text(encoding="utf-8"))
    issue_24 = record["issue_24"]
    kept = {table: entry["columns"] for table, entry in issue_24["tables"].items()}
    dumps = table_dumps(folder / "warehouse.db", folder, kept)
    lines = dumps["schema_version"].splitlines(keepends=True)  # the release's migrations: 001-004
    dumps["schema_version"] = lines[0] + "".join(
        line for line in lines[1:] if int(line.split(",")[0]) <= issue_24["schema_version_max"]
    )
    ours = digests(
        {t: text for t, text in dumps.items() if t not in issue_24["not_compared"] and t not in TABLES_ADDED_SINCE}
    )
    expected = {
        **{t: d for t, d in record["tables"].items() if t not in issue_24["not_compared"]},
        **{t: {k: e[k] for k in ("rows", "sha256")} for t, e in issue_24["tables"].items()},
    }
    assert sorted(ours) == sorted(expected)
    differing = {t: (expected[t]["rows"], ours[t]["rows"]) for t in expected if ours[t] != expected[t]}
    assert not differing, f"tables that differ from release 72f1611 (rows then, now): {differing}"
    assert sum(d["rows"] for d in ours.values()) > 20_000  # the demo loaded what it always loads


if __name__ == "__main__":  # record the digests of this checkout: tests/test_release_outputs.py OUT.json [--dump]
    import os
    import tempfile

    sys.path.insert(0, str(REPO))
    from tests.conftest import FOUR_DAYS, demo_settings, run_demo

    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(demo_settings(Path(tmp)))
        os.environ.pop("QZ811_SMTP_HOST", None)
        run_demo(FOUR_DAYS)
        dumps = table_dumps(Path(tmp) / "warehouse.db", Path(tmp))
    record = {"release": sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] != "--dump" else "", "tables": digests(dumps)}
    if "--dump" in sys.argv:
        record["dump"] = dumps
    Path(sys.argv[1]).write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
