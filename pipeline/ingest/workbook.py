"""Excel workbooks (``.xlsx``/``.xlsm``) as one table of text cells, every sheet read.

A workbook is a zip of XML parts. Before any XML is parsed the zip's directory is checked: the parts may
not unpack to more than :data:`MAX_UNPACKED_BYTES`, and no more than :data:`MAX_WORKBOOK_CELLS` cells are read, so a
decompression bomb is refused in milliseconds instead of filling memory (``zipfile`` never unpacks a part
beyond the size its directory declares).

Every sheet that holds data is read: sheets whose header row equals the first data sheet's are stacked
(a month of lab samples split over two sheets loads whole); a sheet with other columns (more, fewer or
reordered) refuses the file, naming the columns each adds or lacks, and so does a value under no heading:
nothing is read rather than a column silently lost. Empty sheets hold nothing to lose and are passed over.

Cells are read as Excel last saved them (cached values). A formula cell without a cached value (a
workbook written by a program that does not compute formulas) would read as empty, that is "not
measured": it is marked instead (:data:`FORMULA_WITHOUT_VALUE`) so that its record is quarantined with
that reason.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd

from pipeline.ingest import IngestError, read_bytes

MAX_UNPACKED_BYTES = 64 * 1024 * 1024
"""The most a workbook's parts may unpack to (a month of lab samples is well under a megabyte)."""

SHEET_COLUMN = "_sheet"
ROW_COLUMN = "_row"
FORMULA_WITHOUT_VALUE = "formula without a cached value"


def _check_zip(path: Path, data: bytes) -> None:
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as err:
        raise IngestError(path, f"not a readable Excel workbook ({err})") from None
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED_BYTES:
        raise IngestError(
            path,
            f"unpacks to {unpacked:,} bytes, more than the {MAX_UNPACKED_BYTES:,} of any workbook read "
            "(a decompression bomb or an oversized workbook): not read",
        )


def _text(value) -> str:
    """A cell as text, as ``pandas.read_excel(dtype=str)`` gives it: integral numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


MAX_WORKBOOK_CELLS = 400_000
"""The most cells read from one workbook's sheets: a cell unfolds into a record, and this many peak at about 1.3 GB
(bench/input_memory.md; a month of lab samples has a few thousand, an automatic station's month some 40,000)."""


def _sheets(path: Path, data: bytes, data_only: bool) -> dict[str, list[tuple]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as err:  # openpyxl raises many kinds for a broken workbook
        raise IngestError(path, f"not a readable Excel workbook ({type(err).__name__}: {err})") from None
    out, cells = {}, 0
    try:
        for sheet in book.worksheets:
            rows = []
            for row in sheet.iter_rows(values_only=True):
                cells += len(row)
                if cells > MAX_WORKBOOK_CELLS:
                    raise IngestError(
                        path, f"more than the {MAX_WORKBOOK_CELLS:,} cells read from one workbook: split it"
                    )
                rows.append(row)
            while rows and all(v is None or str(v).strip() == "" for v in rows[-1]):
                rows.pop()
            out[sheet.title] = rows
    finally:
        book.close()
    return out


def read_workbook(path: Path | str) -> pd.DataFrame:
    """Every data sheet of a workbook as one frame of text cells (the first sheet's header as columns),
    with the sheet's name (``_sheet``) and row number in it (``_row``). Raises IngestError naming the
    sheets it cannot read."""
    path = Path(path)
    data = read_bytes(path)
    _check_zip(path, data)
    values = _sheets(path, data, data_only=True)
    formulas = _sheets(path, data, data_only=False)
    sheets = {name: rows for name, rows in values.items() if rows}
    if not sheets:
        raise IngestError(path, "the workbook has no data (every sheet is empty)")
    first = next(iter(sheets))
    header = [_text(v).strip() for v in sheets[first][0]]
    while header and header[-1] == "":
        header.pop()

    def header_of(rows) -> list[str]:
        cells = [_text(v).strip() for v in rows[0]]
        while cells and cells[-1] == "":
            cells.pop()
        return cells

    other = {name: header_of(rows) for name, rows in sheets.items() if header_of(rows) != header}
    if other:
        detail = []
        for name, columns in other.items():
            added = [c for c in columns if c not in header]
            lost = [c for c in header if c not in columns]
            detail.append(f"{name!r}" + (f" adds {','.join(added)}" if added else "")
                          + (f" lacks {','.join(lost)}" if lost else "")
                          + ("" if added or lost else " has them in another order"))  # fmt: skip
        raise IngestError(
            path,
            f"sheet(s) {'; '.join(detail)} (sheet {first!r} has {','.join(header)}): nothing read, so that no "
            "column is lost; give each layout a workbook of its own",
        )
    records = []
    for name, rows in sheets.items():
        formula_rows = formulas.get(name, [])
        for number, row in enumerate(rows[1:], start=2):
            beyond = [i for i in range(len(header), len(row)) if _text(row[i]).strip()]
            if beyond:  # a value under no heading would be dropped: refuse instead
                raise IngestError(
                    path, f"sheet {name!r} row {number}: a value in column {beyond[0] + 1}, which has no heading: "
                    "nothing read; name the column or remove the value"
                )  # fmt: skip
            cells = [_text(row[i] if i < len(row) else None) for i in range(len(header))]
            source = formula_rows[number - 1] if number - 1 < len(formula_rows) else ()
            for i, cell in enumerate(cells):
                written = source[i] if i < len(source) else None
                if cell == "" and isinstance(written, str) and written.startswith("="):
                    cells[i] = f"{FORMULA_WITHOUT_VALUE} ({written})"
            if all(c.strip() == "" for c in cells):
                continue  # a blank line inside a sheet
            records.append([*cells, name, number])
    if not records:
        raise IngestError(path, "header only, no data rows")
    return pd.DataFrame(records, columns=[*header, SHEET_COLUMN, ROW_COLUMN])


def formula_problems(table: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Per row: the reason to quarantine it when one of ``columns`` is a formula without a cached value
    (text from :func:`read_workbook`), else ""."""
    problem = pd.Series("", index=table.index, dtype=object)
    for column in columns:
        if column not in table:
            continue
        marked = table[column].astype(str).str.startswith(FORMULA_WITHOUT_VALUE)
        problem[marked & (problem == "")] = (
            f"{column}: "
            + table.loc[marked, column].astype(str)
            + "; open and save the workbook in Excel to compute it"
        )
    return problem
