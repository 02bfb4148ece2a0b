"""Workbooks (issue 16): every sheet read or the file refused naming the sheets; formula cells without a
cached value quarantined with that reason; a decompression bomb refused fast. Through the command line,
as the data team runs it."""

from __future__ import annotations

import time
import zipfile

import openpyxl
import pytest
import sqlalchemy as sa

from pipeline.ingest import IngestError
from pipeline.ingest.workbook import FORMULA_WITHOUT_VALUE, read_workbook

# A month of lab samples (values of the bundled July 2019 sample) split over two sheets, as labs do.
HEADER = ["section_code", "sample_date", "do", "codmn", "nh3n"]
FIRST_HALF = [["QZW01", "2019-07-03", 7.9, 2.1, 0.21], ["QZW02", "2019-07-03", 8.1, 1.9, 0.18]]
SECOND_HALF = [["QZW01", "2019-07-17", 7.5, 2.4, 0.26], ["QZW02", "2019-07-17", 7.7, 2.2, 0.23]]


def workbook(path, sheets: dict[str, list[list]]):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def rows_of(url: str, sql: str) -> list:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        out = conn.execute(sa.text(sql)).all()
    engine.dispose()
    return out


@pytest.fixture
def cli(warehouse, monkeypatch, capsys):
    from pipeline.cli import main

    monkeypatch.setenv("QZ811_DB_URL", str(warehouse.url))

    def run(*argv):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_a_month_over_two_sheets_loads_whole(tmp_path, cli, warehouse):
    path = workbook(tmp_path / "lab_2019-07.xlsx", {"上旬": [HEADER, *FIRST_HALF], "下旬": [HEADER, *SECOND_HALF]})
    code, out, err = cli("ingest", "water", str(path))
    assert code == 0, err
    assert "12 read, 12 loaded, 0 quarantined" in out
    stored = rows_of(
        str(warehouse.url),
        "SELECT section_code, substr(sampled_at, 1, 10), item, value FROM water_sample ORDER BY 1, 2, 3",
    )
    expected = sorted(
        (section, day, item, value)
        for section, day, *values in FIRST_HALF + SECOND_HALF
        for item, value in zip(HEADER[2:], values, strict=True)
    )
    assert sorted(stored) == expected


def test_a_sheet_with_other_columns_refuses_the_file_naming_it(tmp_path, cli, warehouse):
    path = workbook(
        tmp_path / "lab_2019-07.xlsx",
        {"水质": [HEADER, *FIRST_HALF], "说明 notes": [["remark"], ["sampled by the county station"]], "空白": []},
    )
    before = rows_of(str(warehouse.url), "SELECT COUNT(*) FROM ingest_batch")
    code, out, err = cli("ingest", "water", str(path))
    assert code == 1 and err.count("\n") == 1
    assert "'说明 notes'" in err and "nothing read" in err and "空白" not in err  # an empty sheet loses nothing
    assert rows_of(str(warehouse.url), "SELECT COUNT(*) FROM ingest_batch") == before


def test_a_later_sheet_that_adds_columns_refuses_the_file_naming_them(tmp_path, cli, warehouse):
    """Issue 28.3: a second sheet adding nh3n and tp (nh3n 1.85: class V) was loaded on the first sheet's columns,
    the nh3n lost and the section classed on what remained."""
    first = [["section_code", "sample_date", "ph", "do"], ["QZW01", "2019-07-03", 7.2, 8.3]]
    second = [["section_code", "sample_date", "ph", "do", "nh3n", "tp"], ["QZW02", "2019-07-04", 7.3, 7.9, 1.85, 0.1]]
    path = workbook(tmp_path / "lab_2019-07.xlsx", {"上旬": first, "下旬": second})
    code, out, err = cli("ingest", "water", str(path))
    assert code == 1 and err.count("\n") == 1
    assert "'下旬' adds nh3n,tp" in err and "nothing read" in err
    assert rows_of(str(warehouse.url), "SELECT COUNT(*) FROM water_sample") == [(0,)]


def test_a_value_under_no_heading_refuses_the_file(tmp_path, cli, warehouse):
    rows = [HEADER, FIRST_HALF[0], [*FIRST_HALF[1], None, 1.85]]  # a value two columns right of the last heading
    path = workbook(tmp_path / "lab_2019-07.xlsx", {"Sheet1": rows})
    code, out, err = cli("ingest", "water", str(path))
    assert code == 1 and "sheet 'Sheet1' row 3: a value in column 7, which has no heading" in err
    assert rows_of(str(warehouse.url), "SELECT COUNT(*) FROM water_sample") == [(0,)]


def test_a_formula_without_a_cached_value_is_quarantined_with_that_reason(tmp_path, cli, warehouse):
    rows = [HEADER, FIRST_HALF[0], ["QZW02", "2019-07-03", 8.1, "=B2*0+1.9", 0.18]]  # written by a program: no value
    path = workbook(tmp_path / "lab_2019-07.xlsx", {"Sheet1": rows})
    assert read_workbook(path).loc[1, "codmn"] == f"{FORMULA_WITHOUT_VALUE} (=B2*0+1.9)"
    code, out, err = cli("ingest", "water", str(path))
    assert code == 0, err
    assert "6 read, 5 loaded, 1 quarantined" in out
    (reason,) = rows_of(str(warehouse.url), "SELECT reason FROM quarantine WHERE source_file = 'lab_2019-07.xlsx'")
    assert (
        reason[0]
        == "codmn: formula without a cached value (=B2*0+1.9); open and save the workbook in Excel to compute it"
    )


def test_the_statistics_reader_reads_every_sheet_too(tmp_path, cli, warehouse):
    header = ["indicator_id", "year", "scope", "value", "unit"]
    path = workbook(
        tmp_path / "statistics.xlsx",
        {
            "2018": [header, ["waste.urban_sewage_treatment_rate", 2018, "衢州", 92.0, "%"]],
            "2019": [header, ["waste.urban_sewage_treatment_rate", 2019, "衢州", 93.5, "%"],
                     ["waste.urban_sewage_treatment_rate", 2020, "衢州", "=D2", "%"]],
        },
    )  # fmt: skip
    code, out, err = cli("ingest", "statistics", str(path))
    assert code == 0, err
    assert "3 read, 2 loaded, 1 quarantined" in out
    assert sorted(rows_of(str(warehouse.url), "SELECT year, value FROM annual_statistic")) == [
        (2018, 92.0),
        (2019, 93.5),
    ]
    (reason,) = rows_of(str(warehouse.url), "SELECT reason FROM quarantine WHERE source_file = 'statistics.xlsx'")
    assert reason[0].startswith("value: formula without a cached value (=D2)")


def bomb(path, unpacked: int):
    """A zip whose one part unpacks to ``unpacked`` zero bytes (a few hundred KB on disk)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            chunk = b"\0" * (1 << 20)
            for _ in range(unpacked >> 20):
                part.write(chunk)
    return path


@pytest.mark.parametrize("command", [["ingest", "water"], ["ingest", "statistics"], ["ingest", "noise"]])
def test_a_decompression_bomb_is_refused_in_well_under_a_second(tmp_path_factory, cli, command):
    path = tmp_path_factory.getbasetemp() / "bomb_2019-07.xlsx"
    if not path.exists():
        bomb(path, 200 << 20)
    assert path.stat().st_size < 1 << 20
    started = time.monotonic()
    code, out, err = cli(*command, str(path))
    elapsed = time.monotonic() - started
    assert code == 1 and err.count("\n") == 1 and "decompression bomb" in err, err
    assert elapsed < 1.0, elapsed


def test_a_broken_workbook_is_refused_by_name(tmp_path):
    path = tmp_path / "w.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(IngestError, match="not a readable Excel workbook"):
        read_workbook(path)
