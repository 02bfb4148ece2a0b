"""Registry files (pipeline/ingest/reference.py): a line with a missing or extra field, or a value of the wrong
type, is one error naming the file, the line and the field, never a traceback (issue 28.7)."""

from __future__ import annotations

import pytest

from pipeline.ingest.reference import WATER_SECTIONS, RegistryError, read_reference, read_water_sections


def registry(tmp_path, *lines: str):
    path = tmp_path / "water_sections.csv"
    path.write_text("# provenance line\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_bundled_registry_reads():
    sections = read_water_sections(WATER_SECTIONS)
    assert len(sections) == 19 and all(isinstance(s["is_qiantang_mainstream"], bool) for s in sections)


@pytest.mark.parametrize(
    "line,words",
    [
        ("QZW99,name", "line 3: 2 fields, expected 3 (code,flag,number)"),
        ("QZW99,true,4,extra", "line 3: 4 fields, expected 3"),
        ("QZW99,maybe,4", "line 3: flag 'maybe' is not true or false"),
        ("QZW99,true,IV", "line 3: number 'IV' is not a whole number"),
    ],
)
def test_a_bad_line_is_named(tmp_path, line, words):
    path = registry(tmp_path, "code,flag,number", line)
    with pytest.raises(RegistryError, match=words.replace("(", r"\(").replace(")", r"\)")):
        read_reference(path, booleans=("flag",), integers=("number",))


def test_init_db_with_a_bad_registry_is_one_line(tmp_path, monkeypatch, capsys):
    import pipeline.store.schema as schema
    from pipeline.cli import main

    bad = tmp_path / "water_sections.csv"
    lines = WATER_SECTIONS.read_text(encoding="utf-8").splitlines()
    lines[-1] = ",".join(lines[-1].split(",")[:3])  # the last section lost its other fields
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(schema, "WATER_SECTIONS", bad)
    monkeypatch.setattr(schema.init_db, "__defaults__", (schema.STATION_LIST, bad))
    monkeypatch.setenv("QZ811_DB_URL", f"sqlite:///{tmp_path / 'w.db'}")
    assert main(["init-db"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"water_sections.csv line {len(lines)}: 3 fields" in err
