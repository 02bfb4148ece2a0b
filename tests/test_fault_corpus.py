"""The fault corpus: bad inputs of every format through `python -m pipeline ingest ...` (in process).

For every bad file one of two things happens, never anything else:
- the file is refused as a whole: exit status 1, one line on stderr naming the file and the problem,
  and the warehouse unchanged (no batch, no readings, no quarantine from it);
- the file is loaded with its bad records quarantined, each with its reason: exit status 0, and the
  batch's rows read = rows loaded + rows quarantined, every quarantined record carrying a reason.

Each case names which of the two it must be, and the words its message or reason must contain. The
corpus is built from small real or sample files (tests/data and data/sample) by the fault functions below.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from tests.conftest import REPO

SAMPLE = REPO / "data" / "sample"


def _lines(path, n: int) -> str:
    return "".join((SAMPLE / path).read_text(encoding="utf-8").splitlines(keepends=True)[:n])


def _data_lines(path, n: int) -> str:
    """The header and first ``n`` data lines of a sample whose provenance is in ``#`` lines."""
    lines = [
        line
        for line in (SAMPLE / path).read_text(encoding="utf-8").splitlines(keepends=True)
        if not line.startswith("#")
    ]
    return "".join(lines[: n + 1])


GOOD = {
    # 2 hours x 15 types of three real Quzhou stations (CNEMC, 2019-02-10)
    "air_wide": _lines("air/china_sites_20190210.csv", 1 + 30),
    "air_long": (
        "station_code,time,pollutant,value,unit\n"
        "1264A,2019-02-10 05:00,pm25,35,ug/m3\n"
        "1264A,2019-02-10 05:00,co,0.8,mg/m3\n"
        "1265A,2019-02-10 05:00,pm25,41,ug/m3\n"
    ),
    "water": _lines("water/water_manual_2019-07.csv", 4),
    "sources_csv": _lines("sources/wastewater_export_2019-07.csv", 5),
    "hj212": _lines("sources/hj212_platform_2019-07.log", 4),
    # the departments' annual files (synthetic samples; their first data lines)
    "statistics": _data_lines("plan/statistics_2014-2019.csv", 10),
    "precipitation": _data_lines("plan/precipitation_2018-2019.csv", 10),
    "noise": _data_lines("plan/noise_2018-2019.csv", 10),
}
GOOD["water_workbook"] = GOOD["water"]  # the same lab rows, written as a workbook by the faults below
KIND = {"water_workbook": "water", "air_wide": "air", "air_long": "air", "water": "water", "sources_csv": "sources", "hj212": "sources",
        "statistics": "statistics", "precipitation": "precipitation", "noise": "noise"}  # fmt: skip
SUFFIX = {"hj212": ".log"}
NAMES = {  # a date in the name, as the landing folders expect
    "air_wide": "china_sites_20190210.csv", "air_long": "air_2019-02-10.csv", "water": "water_manual_2019-07.csv",
    "sources_csv": "export_2019-07.csv", "hj212": "hj212_2019-07.log", "statistics": "statistics.csv",
    "precipitation": "precipitation.csv", "noise": "noise.csv", "water_workbook": "lab_2019-07.xlsx",
}  # fmt: skip


def replace_first_value(text: str, new: str, column: int) -> str:
    """The ``column``-th field (0-based) of the first data line replaced by ``new``."""
    lines = text.splitlines(keepends=True)
    fields = lines[1].rstrip("\n").split(",")
    fields[column] = new
    lines[1] = ",".join(fields) + "\n"
    return "".join(lines)


@dataclass(frozen=True)
class Case:
    fmt: str
    fault: str
    build: Callable[[str], bytes]
    outcome: str  # "refused" | "quarantined" | "loaded"
    words: str  # in the error message (refused) or in a quarantine reason (quarantined)


def utf8(text: str) -> bytes:
    return text.encode("utf-8")


def binary(_: str) -> bytes:
    rng = random.Random(811)
    return bytes(rng.randrange(256) for _ in range(2048)).replace(b"\n", b"\x00") + b"\x00"


def truncated(text: str) -> bytes:
    return utf8(text.rstrip("\n")[:-7])  # the last line cut in the middle, no final newline


def header_only(text: str) -> bytes:
    return utf8(text.splitlines(keepends=True)[0])


def bom(text: str) -> bytes:
    return b"\xef\xbb\xbf" + utf8(text)


def semicolons(text: str) -> bytes:
    return utf8(text.replace(",", ";"))


def duplicate_last_row(text: str) -> bytes:
    return utf8(text + text.splitlines(keepends=True)[-1])


def repeated_line(text: str) -> bytes:
    """The second data line written twice (an export resumed after an interruption)."""
    lines = text.splitlines(keepends=True)
    return utf8("".join(lines[:3] + lines[2:]))


def conflicting_line(text: str) -> bytes:
    """The second data line again, with its first station's value changed."""
    lines = text.splitlines(keepends=True)
    fields = lines[2].rstrip("\n").split(",")
    fields[3] = str(float(fields[3] or 0) + 1)
    return utf8("".join(lines[:3]) + ",".join(fields) + "\n" + "".join(lines[3:]))


def _upload(qn: str, cp: str, mn: str = "QZ0001A8900016F0001") -> str:
    from pipeline.ingest.hj212 import frame

    return frame(f"QN={qn};ST=31;CN=2061;PW=123456;MN={mn};Flag=4;CP=&&DataTime=20190701050000;{cp}&&").strip() + "\n"


def noise_line(text: str) -> bytes:
    first, rest = text.split("\n", 1)
    return utf8(f"{first}\n+++ modem heartbeat +++\n{rest}")


def resent(text: str) -> bytes:
    first = text.split("\n", 1)[0]
    return utf8(text + first.replace("QN=20190701000000000", "QN=20190701000000000") + "\n")


def too_wide(text: str) -> bytes:
    """Issue 28.6: 30,000 extra station columns (an 8 MB file of them peaked at 3.5 GB)."""
    extra = 30_000
    lines = text.strip().split("\n")
    header = lines[0] + "".join(f",X{i:05d}" for i in range(extra))
    return utf8("\n".join([header, *(line + ",1" * extra for line in lines[1:])]) + "\n")


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    """A workbook of ``sheets`` as bytes (tests/ingest/test_workbook.py's builder, into memory)."""
    import io

    from tests.ingest.test_workbook import workbook

    return workbook(io.BytesIO(), sheets).getvalue()


def later_sheet_adds_columns(text: str) -> bytes:
    """Issue 28.3: the first sheet's lab rows on four columns, a second sheet's with nh3n and tp added."""
    rows = [line.split(",") for line in text.strip().splitlines()]
    narrow = [row[:4] for row in rows[:2]]
    wide = [rows[0][:4] + ["nh3n", "tp"], rows[2][:4] + ["1.85", "0.1"]]
    return workbook_bytes({"上旬": narrow, "下旬": wide})


def value_under_no_heading(text: str) -> bytes:
    rows = [line.split(",")[:4] for line in text.strip().splitlines()]
    rows[1] = [*rows[1], "", "1.85"]
    return workbook_bytes({"Sheet1": rows})


CASES = [
    # --- water lab workbooks (.xlsx) ---
    Case("water_workbook", "later sheet adds columns", later_sheet_adds_columns, "refused", "'下旬' adds nh3n,tp"),
    Case("water_workbook", "value under no heading", value_under_no_heading, "refused", "which has no heading"),
    # --- national wide air file (date,hour,type,<stations>) ---
    Case("air_wide", "empty", lambda t: b"", "refused", "file is empty"),
    Case("air_wide", "header only", header_only, "refused", "header only"),
    # a line cut off mid-row (the national archive's 2019-02-20 and 2019-04-24): quarantined whole, the rest loads
    Case("air_wide", "truncated mid-row", truncated, "quarantined", "cut off mid-row (truncated file)"),
    Case("air_wide", "binary", binary, "refused", "binary"),
    Case("air_wide", "BOM", bom, "loaded", ""),
    Case("air_wide", "wrong delimiter", semicolons, "refused", "unknown air format"),
    Case("air_wide", "non-numeric value", lambda t: utf8(replace_first_value(t, "abc", 3)), "quarantined", "not a number"),
    Case("air_wide", "negative value", lambda t: utf8(replace_first_value(t, "-5", 3)), "quarantined", "negative"),
    Case("air_wide", "absurd value", lambda t: utf8(replace_first_value(t, "99999", 4)), "quarantined", "implausible"),
    Case("air_wide", "unknown station", lambda t: utf8(t.replace("1266A", "9999Z", 1)), "quarantined", "unknown station"),
    Case("air_wide", "future timestamp", lambda t: utf8(t.replace("20190210,1,", "20990210,1,")), "quarantined", ""),
    Case("air_wide", "extra column (short rows)", lambda t: utf8(t.replace("1266A", "1266A,note", 1)), "refused", "fields"),
    # issue 28: script in a station header (shown escaped in Data Docs), a file wider than a national day (memory)
    Case("air_wide", "script in a header", lambda t: utf8(t.replace("1266A", "<img src=x onerror=alert(1)>", 1)), "quarantined", "unknown station"),
    Case("air_wide", "thousands of extra columns", too_wide, "refused", "more than the 900,000 of a national day"),
    Case("air_wide", "repeated line", repeated_line, "quarantined", "duplicate of row 3"),
    Case("air_wide", "conflicting duplicate", conflicting_line, "quarantined", "conflicting duplicate"),
    Case("air_wide", "infinite value", lambda t: utf8(replace_first_value(t, "inf", 3)), "quarantined", "not a number"),
    # --- long air CSV (station_code,time,pollutant,value,unit) ---
    Case("air_long", "header only", header_only, "refused", "header only"),
    Case("air_long", "truncated mid-row", truncated, "refused", "truncated"),
    Case("air_long", "missing column", lambda t: utf8(t.replace(",unit", "").replace(",ug/m3", "").replace(",mg/m3", "")), "refused", "expected date,hour,type,<stations> (national wide) or station_code,time,pollutant,value,unit"),
    Case("air_long", "extra column", lambda t: utf8(t.replace("unit\n", "unit,note\n").replace("m3\n", "m3,x\n")), "loaded", ""),
    # mg/m3 and ug/m3 in one file are converted to the item's unit (checked below); an unknown unit is not
    Case("air_long", "mixed units", lambda t: utf8(t.replace("35,ug/m3", "0.035,mg/m3")), "loaded", ""),
    Case("air_long", "unknown unit", lambda t: utf8(t.replace("35,ug/m3", "35,ppb")), "quarantined", "unit"),
    Case("air_long", "duplicate rows", duplicate_last_row, "quarantined", "duplicate"),
    Case("air_long", "unparseable time", lambda t: utf8(t.replace("2019-02-10 05:00", "yesterday", 1)), "quarantined", "time"),
    # --- water lab samples (section_code,sample_date,items...) ---
    Case("water", "empty", lambda t: b"", "refused", "file is empty"),
    Case("water", "header only", header_only, "refused", ""),
    Case("water", "binary", binary, "refused", "binary"),
    Case("water", "wrong delimiter", semicolons, "refused", ""),
    Case("water", "unknown section", lambda t: utf8(replace_first_value(t, "ZZ999", 0)), "quarantined", "section"),
    Case("water", "negative value", lambda t: utf8(replace_first_value(t, "-1.5", 4)), "quarantined", ""),
    Case("water", "non-numeric value", lambda t: utf8(replace_first_value(t, "n/a?", 4)), "quarantined", ""),
    Case("water", "future timestamp", lambda t: utf8(replace_first_value(t, "2099-07-03", 1)), "quarantined", ""),
    # --- sources CSV export (with Chinese enterprise names) ---
    Case("sources_csv", "GBK read as UTF-8", lambda t: t.encode("gbk"), "refused", "not UTF-8"),
    Case("sources_csv", "BOM", bom, "loaded", ""),
    Case("sources_csv", "missing column", lambda t: utf8(t.replace(",flag\n", "\n").replace(",N\n", "\n")), "refused", "missing column"),
    Case("sources_csv", "unknown outlet", lambda t: utf8(t.replace("QZS03", "QZS99")), "quarantined", "outlet"),
    Case("sources_csv", "negative value", lambda t: utf8(replace_first_value(t, "-3", 4)), "quarantined", ""),
    Case("sources_csv", "non-numeric value", lambda t: utf8(replace_first_value(t, "high", 4)), "quarantined", ""),
    # --- HJ 212-2017 platform log ---
    Case("hj212", "bad CRC", lambda t: utf8(t.replace("&&7D00", "&&0000", 1)), "quarantined", "CRC"),
    Case("hj212", "bad length", lambda t: utf8(t.replace("##0259", "##0300", 1)), "quarantined", "length"),
    Case("hj212", "binary", binary, "refused", "binary"),
    Case("hj212", "noise line", noise_line, "quarantined", "HJ 212: no ## header"),
    Case("hj212", "re-send", resent, "quarantined", "duplicate of row 1"),
    Case("hj212", "flag B", lambda t: utf8(t + _upload("20190701050000000", "a21026-Avg=80.0,a21026-Flag=B")), "loaded", ""),
    Case("hj212", "2005 packet", lambda t: utf8(t + _upload("20190701050000000", "02-Avg=70.0,02-Flag=N;S01-Avg=8.0,S01-Flag=N")), "loaded", ""),
    Case("hj212", "Cou not a number", lambda t: utf8(t + _upload("20190701050000000", "a21026-Avg=80.0,a21026-Cou=x,a21026-Flag=N")), "quarantined", "a21026-Cou='x' is not a number"),
    Case("hj212", "garbled long line", lambda t: utf8(t + "##0300" + "~" * 20_000 + "\n"), "quarantined", "longer than any HJ 212 message"),
    Case("hj212", "empty", lambda t: b"", "refused", "file is empty"),
    # --- departments' annual statistics, precipitation samples, noise grid points ---
    Case("statistics", "GBK read as UTF-8", lambda t: t.encode("gbk"), "refused", "not UTF-8"),
    Case("statistics", "non-numeric value", lambda t: utf8(replace_first_value(t, "about 80", 3)), "quarantined", ""),
    Case("statistics", "duplicate rows", duplicate_last_row, "quarantined", ""),
    # issue 28.5: a unit is converted to the target's (‰, ratio -> %) or the row quarantined naming both units
    Case("statistics", "unit of another kind", lambda t: utf8(t.replace(",%\n", ",kg\n", 1)), "quarantined", "cannot be compared with the target's '%'"),
    Case("statistics", "unit missing", lambda t: utf8(t.replace(",%\n", ",\n", 1)), "quarantined", "unit missing"),
    Case("statistics", "year not whole", lambda t: utf8(replace_first_value(t, "2019.5", 1)), "quarantined", "'2019.5' is not a whole year"),
    Case("statistics", "absurd year", lambda t: utf8(replace_first_value(t, "1e20", 1)), "quarantined", "'1e20' is not a whole year"),
    Case("statistics", "infinite value", lambda t: utf8(replace_first_value(t, "inf", 3)), "quarantined", "value 'inf' is not a finite number"),
    Case("precipitation", "absurd value", lambda t: utf8(replace_first_value(t, "15.2", 2)), "quarantined", ""),
    Case("precipitation", "negative value", lambda t: utf8(replace_first_value(t, "-4", 3)), "quarantined", ""),
    Case("precipitation", "future timestamp", lambda t: utf8(replace_first_value(t, "2099-01-01", 1)), "quarantined", "future"),
    Case("noise", "header only", header_only, "refused", ""),
    Case("noise", "absurd year", lambda t: utf8(replace_first_value(t, "1e20", 0)), "quarantined", "'1e20' is not a whole year"),
    Case("noise", "infinite value", lambda t: utf8(replace_first_value(t, "-inf", 4)), "quarantined", "leq_dba '-inf' is not a finite number"),
    Case("air_long", "infinite value", lambda t: utf8(replace_first_value(t, "inf", 3)), "quarantined", "not a number"),
    # issue 28.7: absurd magnitudes quarantined by plausibility ranges (water temperature, statistics)
    Case("water", "absurd water temperature", lambda t: utf8(replace_first_value(t, "-1e308", 25)), "quarantined", "implausible value for water_temp (below -5 degC"),
    Case("statistics", "absurd magnitude", lambda t: utf8(t + "emission.cod_total.cap,2018,衢州,1e308,t\n"), "quarantined", "implausible magnitude"),
    Case("water", "24:00", lambda t: utf8(t.replace("sample_date", "time", 1).replace("2019-07-03", "2019-07-03 24:00")), "loaded", ""),
    Case("water", "infinite value", lambda t: utf8(replace_first_value(t, "inf", 4)), "quarantined", "not a number"),
    Case("sources_csv", "infinite value", lambda t: utf8(replace_first_value(t, "inf", 4)), "quarantined", "not a number"),
    Case("precipitation", "infinite value", lambda t: utf8(replace_first_value(t, "inf", 2)), "quarantined", "ph 'inf' is not a finite number"),
    Case("noise", "absurd value", lambda t: utf8(replace_first_value(t, "300", 4)), "quarantined", ""),
    Case("noise", "missing column", lambda t: utf8("".join(",".join(line.split(",")[:4]) + "\n" for line in t.splitlines())), "refused", "leq_dba"),
]  # fmt: skip


@pytest.fixture(scope="module")
def warehouse_url(tmp_path_factory):
    from pipeline.store.engine import make_engine
    from pipeline.store.schema import init_db

    url = f"sqlite:///{tmp_path_factory.mktemp('faults') / 'warehouse.db'}"
    engine = make_engine(url)
    init_db(engine)
    engine.dispose()
    return url


def counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        out = {t: conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
               for t in ("ingest_batch", "quarantine", "air_hourly", "water_sample", "source_reading")}  # fmt: skip
    engine.dispose()
    return out


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.fmt}-{c.fault}")
def test_bad_file_is_refused_or_quarantined(case, warehouse_url, tmp_path, monkeypatch, capsys):
    from pipeline.cli import main

    monkeypatch.setenv("QZ811_DB_URL", warehouse_url)
    monkeypatch.setenv("QZ811_STAGING_DIR", str(tmp_path / "staging"))
    # A name of its own (batches are found by file name below), keeping the date the landing folders expect.
    path = tmp_path / f"{CASES.index(case):02d}_{NAMES[case.fmt]}"
    path.write_bytes(case.build(GOOD[case.fmt]))
    before = counts(warehouse_url)
    code = main(["ingest", KIND[case.fmt], str(path)])
    out, err = capsys.readouterr()
    after = counts(warehouse_url)
    if case.outcome == "refused":
        assert code == 1, out + err
        assert err.count("\n") == 1 and path.name in err and case.words in err, err
        assert after == before, "a refused file changed the warehouse"
        return
    assert code == 0, err
    engine = sa.create_engine(warehouse_url)
    with engine.connect() as conn:
        batch = conn.execute(
            sa.text(
                "SELECT batch_id, rows_read, rows_loaded, rows_quarantined FROM ingest_batch "
                "WHERE source_files = :name ORDER BY finished_at DESC"
            ),
            {"name": path.name},  # fmt: skip
        ).first()
        reasons = conn.execute(
            sa.text("SELECT reason FROM quarantine WHERE batch_id = :b"), {"b": batch.batch_id}
        ).scalars().all()  # fmt: skip
    engine.dispose()
    assert batch.rows_read == batch.rows_loaded + batch.rows_quarantined == len(reasons) + batch.rows_loaded
    assert all(reason.strip() for reason in reasons)
    if case.outcome == "loaded":
        assert batch.rows_quarantined == 0 and batch.rows_loaded > 0, reasons
        if case.fault == "mixed units":  # 0.035 mg/m3 of PM2.5 is stored as 35 ug/m3
            engine = sa.create_engine(warehouse_url)
            with engine.connect() as conn:
                stored = conn.execute(
                    sa.text(
                        "SELECT value, unit FROM air_hourly WHERE station_code = '1264A' AND pollutant = 'pm25' "
                        "AND hour_end = '2019-02-10 05:00:00'"
                    )  # fmt: skip
                ).one()
            engine.dispose()
            assert (round(stored.value, 9), stored.unit) == (35.0, "ug/m3")
    else:
        assert batch.rows_quarantined > 0, "nothing was quarantined"
        assert any(case.words in reason for reason in reasons), reasons


def test_corpus_covers_every_fault_family():
    faults = {c.fault for c in CASES}
    for family in ("empty", "header only", "truncated mid-row", "binary", "GBK read as UTF-8", "BOM",
                   "wrong delimiter", "extra column", "missing column", "non-numeric value", "absurd value",
                   "negative value", "unknown station", "duplicate rows", "future timestamp", "mixed units",
                   "bad CRC", "bad length", "repeated line", "conflicting duplicate", "noise line", "re-send",
                   "flag B", "2005 packet", "infinite value", "absurd year"):  # fmt: skip
        assert family in faults, family


def test_station_list_in_utf8_reads_the_same_as_the_published_gbk(tmp_path):
    """The reverse encoding fault: the GBK station list re-saved as UTF-8 (read as GBK it would be
    garbled) gives the same registry; a file that is neither is a clear error, not an empty registry."""
    from pipeline.ingest.reference import STATION_LIST, read_station_list

    utf8_copy = tmp_path / "stations_utf8.csv"
    utf8_copy.write_text(STATION_LIST.read_bytes().decode("gbk"), encoding="utf-8")
    published, resaved = read_station_list(), read_station_list(utf8_copy)
    assert len(published) == 2026
    assert [{**r, "source": ""} for r in resaved] == [{**r, "source": ""} for r in published]
    garbled = tmp_path / "garbled.csv"
    garbled.write_bytes("站点,名称\n1264A,环保大楼\n".encode("utf-16"))
    with pytest.raises(ValueError, match="not the CNEMC station list"):
        read_station_list(garbled)
