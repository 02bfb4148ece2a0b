"""A command given several files loads all of them or none, and loads exactly the bytes it read (issue 16):
a file rewritten or removed after it was read cannot change the warehouse nor fail the load half-way."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from tests.conftest import REPO

SAMPLE = REPO / "data" / "sample" / "air"
DAYS = ("china_sites_20190210.csv", "china_sites_20190211.csv")


def snapshot(engine) -> dict:
    with engine.connect() as conn:
        return {
            "batches": conn.execute(sa.text("SELECT source_files, sha256, rows_loaded FROM ingest_batch ORDER BY 1")).all(),
            "air": conn.execute(sa.text("SELECT COUNT(*), SUM(value) FROM air_hourly")).one(),
            "quarantine": conn.execute(sa.text("SELECT COUNT(*) FROM quarantine")).scalar_one(),
        }  # fmt: skip


@pytest.fixture
def landing(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in DAYS:
        (folder / name).write_bytes((SAMPLE / name).read_bytes())
    return folder


def run(warehouse, monkeypatch, capsys, *argv):
    from pipeline.cli import main

    monkeypatch.setenv("QZ811_DB_URL", str(warehouse.url))
    code = main(list(argv))
    return code, *capsys.readouterr()


def test_a_failure_on_the_second_file_leaves_the_warehouse_as_it_was(warehouse, landing, monkeypatch, capsys):
    from pipeline.store import load

    before = snapshot(warehouse)
    written = []
    original = load._write

    def fail_on_second(conn, **prepared):
        if written:
            raise OSError("disk full (simulated) while writing the second file")
        written.append(prepared["accounting"]["source_files"])
        return original(conn, **prepared)

    monkeypatch.setattr(load, "_write", fail_on_second)
    code, out, err = run(warehouse, monkeypatch, capsys, "ingest", "air", *(str(landing / n) for n in DAYS))
    assert written == [DAYS[0]]  # the first file was written ... and rolled back with the second
    assert code == 1 and err.count("\n") == 1 and "disk full" in err
    assert snapshot(warehouse) == before


def test_what_is_loaded_is_the_bytes_read_even_if_the_files_change_mid_run(warehouse, landing, monkeypatch, capsys):
    from pipeline import validate

    first, second = (landing / n for n in DAYS)
    read_bytes = {p.name: p.read_bytes() for p in (first, second)}
    original = validate.run_suite

    def meddle(records, suite, parameters):  # while the first file is validated, both files change
        if second.exists():
            first.write_bytes(read_bytes[first.name].replace(b",", b";"))
            second.unlink()
        return original(records, suite, parameters)

    monkeypatch.setattr("pipeline.validate.run_suite", meddle)
    code, out, err = run(warehouse, monkeypatch, capsys, "ingest", "air", str(first), str(second))
    assert code == 0, err
    batches = snapshot(warehouse)["batches"]
    assert [(b.source_files, b.sha256) for b in batches] == [
        (name, hashlib.sha256(read_bytes[name]).hexdigest()) for name in DAYS
    ]

    # The same bytes from untouched copies give the same warehouse.
    from pipeline.store.engine import make_engine
    from pipeline.store.schema import init_db

    clean = make_engine(str(warehouse.url).replace(".db", "_clean.db"))
    init_db(clean)
    copies = landing.parent / "copies"
    copies.mkdir()
    for name, data in read_bytes.items():
        (copies / name).write_bytes(data)
    monkeypatch.setattr("pipeline.validate.run_suite", original)
    assert run(clean, monkeypatch, capsys, "ingest", "air", *(str(copies / n) for n in DAYS))[0] == 0
    assert snapshot(clean)["air"] == snapshot(warehouse)["air"]
    clean.dispose()
