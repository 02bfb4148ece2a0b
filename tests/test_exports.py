"""Analyst downloads (issue 15): indicators, every view and a city's year summary as CSV and .xlsx, Chinese
headers first, no nan/None, the same rows as the view, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import openpyxl
import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.glossary import COLUMNS
from pipeline.reports.exports import EXPORTS, VIEWS, ExportError, export, export_summary, read_export
from tests.conftest import REPO


def test_every_view_can_be_exported_and_every_column_has_a_chinese_name(sample_sqlite):
    made = {
        re.search(r"CREATE VIEW (\w+)", p.read_text("utf-8")).group(1) for p in (REPO / "sql" / "views").glob("*.sql")
    }
    assert set(VIEWS) == made
    for name in EXPORTS:
        frame = read_export(sample_sqlite, name, None)
        missing = set(frame.columns) - set(COLUMNS)
        assert not missing, f"{name}: columns without a Chinese name in glossary.COLUMNS: {missing}"


@pytest.mark.parametrize("name", ["indicators", "v_scoreboard", "v_air_city_day", "v_source_exceedances"])
def test_csv_export_has_chinese_headers_and_the_views_rows(sample_sqlite, tmp_path, name):
    path, rows = export(sample_sqlite, name, 2019, tmp_path / f"{name}.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel opens the Chinese text
    back = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(back) == rows == len(read_export(sample_sqlite, name, 2019)) > 0
    first = back.columns[0]
    assert re.match(r"^[\u4e00-\u9fff]", first) and first.endswith(
        f" {read_export(sample_sqlite, name, 2019).columns[0]}"
    )
    cells = back.to_numpy().ravel().tolist()
    assert not [c for c in cells if c in ("nan", "NaN", "None", "NaT")]


def test_xlsx_export_and_the_year_summary(sample_sqlite, tmp_path):
    path, rows = export(sample_sqlite, "v_air_composite_index", 2019, tmp_path / "composite.xlsx")
    sheet = openpyxl.load_workbook(path)["环境空气质量综合指数"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["范围 scope", "时段 period", "时段类型 period_kind", "环境空气质量综合指数 composite_index"]
    assert sheet.max_row == rows + 1 > 1
    path, _ = export_summary(sample_sqlite, 2019, "衢州", tmp_path / "summary.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "城市日空气质量",
        "月优良天数比例",
        "年均浓度与二级标准",
        "环境空气质量综合指数",
        "指标 indicators",
    ]
    days = book["城市日空气质量"]
    assert {days.cell(row=r, column=1).value for r in range(2, days.max_row + 1)} == {"衢州"}
    values = [c.value for row in book["指标 indicators"].iter_rows() for c in row]
    assert not [v for v in values if isinstance(v, str) and v in ("nan", "None")]


def test_wrong_names_and_types_are_refused(sample_sqlite, tmp_path):
    with pytest.raises(ExportError, match="choose one of: indicators"):
        export(sample_sqlite, "quarantine; DROP TABLE x", None, tmp_path / "x.csv")
    with pytest.raises(ExportError, match="write .csv or .xlsx"):
        export(sample_sqlite, "indicators", None, tmp_path / "x.json")
    with pytest.raises(ExportError, match="write .xlsx"):
        export_summary(sample_sqlite, 2019, "衢州", tmp_path / "x.csv")


def test_the_cli_exports(sample_sqlite, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QZ811_DB_URL", sample_sqlite.url.render_as_string(hide_password=False))
    assert main(["export", "v_scoreboard", "--year", "2019", "-o", str(tmp_path / "board.xlsx")]) == 0
    assert "wrote 76 rows to" in capsys.readouterr().out
    assert main(["export", "summary", "-o", str(tmp_path / "s.xlsx")]) == 1
    assert "give --year" in capsys.readouterr().err


def test_postgresql_exports_the_same_rows(sample_sqlite, sample_pg):
    for name in EXPORTS:
        lite, pg = read_export(sample_sqlite, name, 2019), read_export(sample_pg, name, 2019)
        assert list(lite.columns) == list(pg.columns) and len(lite) == len(pg), name
