"""Analyst downloads: the computed indicators, the views and a city's year summary as CSV or Excel (.xlsx),
with Chinese headers first (``中文名 column``), from :data:`pipeline.glossary.COLUMNS`.

CSV is written as UTF-8 with a byte-order mark, so that Excel opens the Chinese text correctly; ``.xlsx``
through openpyxl, one sheet per table. Missing values are empty cells, never ``nan`` or ``None``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from pipeline.glossary import VIEWS as GLOSSARY_VIEWS
from pipeline.plan.indicators import INDICATORS
from pipeline.reports.output import write_atomically
from pipeline.reports.text import heading
from pipeline.store.engine import read_frame

EXPORTS = {
    "indicators": "dml/indicator/export_indicators",
    "v_air_city_day": "dml/reports/export_v_air_city_day",
    "v_air_station_day": "dml/reports/export_v_air_station_day",
    "v_air_station_hour": "dml/reports/export_v_air_station_hour",
    "v_air_city_month_good_days": "dml/reports/export_v_air_city_month_good_days",
    "v_air_annual_vs_grade_ii": "dml/reports/export_v_air_annual_vs_grade_ii",
    "v_air_composite_index": "dml/reports/export_v_air_composite_index",
    "v_city_ranking": "dml/reports/export_v_city_ranking",
    "v_water_section_month": "dml/reports/export_v_water_section_month",
    "v_compliance_rates": "dml/reports/export_v_compliance_rates",
    "v_source_exceedances": "dml/reports/export_v_source_exceedances",
    "v_scoreboard": "dml/reports/export_v_scoreboard",
}
"""What can be exported: the indicator table (with each indicator's names) and every analyst view."""
VIEWS = tuple(name for name in EXPORTS if name.startswith("v_"))

SHEET_NAMES = {"indicators": "指标 indicators", **{view: zh for view, (zh, _) in GLOSSARY_VIEWS.items()}}
"""Sheet names of the workbooks: the views' Chinese names (:data:`pipeline.glossary.VIEWS`)."""


EXCEL_MAX_ROWS = 1_048_575
"""Rows of data a worksheet holds (Excel's 1,048,576 less the heading)."""


class ExportError(ValueError):
    """An export that cannot be made (unknown name, unknown file type); the message says what can."""


def chinese_headers(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each column headed ``中文名 column`` (:func:`pipeline.reports.text.heading`)."""
    return frame.rename(columns=heading)


def read_export(engine: Engine, name: str, year: int | None) -> pd.DataFrame:
    """The rows of ``name`` (``indicators`` or a view) for ``year`` (its months too), or every year."""
    if name not in EXPORTS:
        raise ExportError(f"no export {name!r}; choose one of: {', '.join(EXPORTS)}")
    with engine.connect() as conn:
        frame = read_frame(conn, EXPORTS[name], {"year": "" if year is None else f"{year:04d}"})
    if name == "indicators":
        names = {k: (i.name_zh, i.name_en) for k, i in INDICATORS.items()}
        frame.insert(1, "indicator_zh", frame["indicator"].map(lambda k: names.get(k, ("", ""))[0]))
        frame.insert(2, "name_en", frame["indicator"].map(lambda k: names.get(k, ("", ""))[1]))
    return frame


def write_tables(tables: dict[str, pd.DataFrame], path: Path) -> Path:
    """Write ``tables`` (sheet name -> rows) to ``path``: ``.xlsx`` one sheet each, ``.csv`` only one table."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ExportError(f"{path.name}: write .csv or .xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    shown = {
        sheet: chinese_headers(frame).astype(object).where(frame.notna().to_numpy(), None)
        for sheet, frame in tables.items()
    }
    if suffix == ".csv":
        if len(shown) != 1:
            raise ExportError(f"{path.name}: {len(shown)} tables do not fit one CSV; write .xlsx")
        (frame,) = shown.values()
        return write_atomically(path, lambda temporary: frame.to_csv(temporary, index=False, encoding="utf-8-sig"))
    too_long = [sheet for sheet, frame in shown.items() if len(frame) > EXCEL_MAX_ROWS]
    if too_long:
        raise ExportError(f"{path.name}: {', '.join(too_long)} has more rows than a sheet holds ({EXCEL_MAX_ROWS:,}); "
                          "write .csv, or export one year")  # fmt: skip

    def workbook(temporary: Path) -> None:
        with pd.ExcelWriter(temporary, engine="openpyxl") as writer:
            for sheet, frame in shown.items():
                frame.to_excel(writer, sheet_name=sheet[:31], index=False)

    return write_atomically(path, workbook)


def export(engine: Engine, name: str, year: int | None, path: Path) -> tuple[Path, int]:
    """``indicators`` or a view to ``path`` (.csv or .xlsx). Returns the path and the rows written."""
    frame = read_export(engine, name, year)
    return write_tables({SHEET_NAMES.get(name, name): frame}, path), len(frame)


def export_summary(engine: Engine, year: int, city: str, path: Path) -> tuple[Path, int]:
    """A city's year in one workbook: its daily AQI, good-day months, annual concentrations, composite index and
    the indicators of its scope (``.xlsx``, one sheet each)."""
    tables = {}
    for name, column in (("v_air_city_day", "city"), ("v_air_city_month_good_days", "city"),
                         ("v_air_annual_vs_grade_ii", "city"), ("v_air_composite_index", "scope"), ("indicators", "scope")):  # fmt: skip
        frame = read_export(engine, name, year)
        tables[SHEET_NAMES[name]] = frame[frame[column] == city].reset_index(drop=True)
    written = write_tables(tables, path)
    return written, sum(len(t) for t in tables.values())


def export_month(engine: Engine, year: int, month: int, city: str, path: Path) -> tuple[Path, int]:
    """The month report's (月报) tables of ``city`` (:func:`pipeline.reports.month.month_tables`: days by category,
    six pollutants, primary pollutants, worst days, ranking, water; the month and 1–N月 with 同比) in one
    workbook, one sheet each (``.xlsx``). Returns the path and the rows written."""
    from pipeline.reports.html import read_report_data
    from pipeline.reports.month import SHEETS, month_tables

    if not 1 <= month <= 12:
        raise ExportError(f"month {month}: give 1 to 12")
    if Path(path).suffix.lower() != ".xlsx":
        raise ExportError(f"{Path(path).name}: the month report has {len(SHEETS)} tables; write .xlsx")
    data = read_report_data(engine, year, city)
    tables = month_tables(data.city_days, data.ranking, data.water_months, year, month, city)
    path = write_tables({SHEETS[k]: frame for k, frame in tables.items()}, path)
    return path, sum(len(frame) for frame in tables.values())
