"""Pick the reader for an air file by its header."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from pipeline.ingest import IngestError, cnemc_wide, long_csv, read_text

FORMATS = {"cnemc_wide": cnemc_wide, "long_csv": long_csv}


def detect_format(path: Path | str) -> str:
    """``cnemc_wide`` or ``long_csv``; IngestError naming what was found otherwise."""
    text = read_text(Path(path))
    header = next(csv.reader(io.StringIO(text.partition("\n")[0].rstrip("\r"))), [])
    for name, module in FORMATS.items():
        if module.looks_like(header):
            return name
    raise IngestError(
        path,
        f"unknown air format: header {header[:5]}; expected date,hour,type,<stations> "
        "(national wide) or station_code,time,pollutant,value,unit (long)",
    )


def read_air_file(path: Path | str) -> pd.DataFrame:
    """Canonical air records from a file of either format."""
    return FORMATS[detect_format(path)].read(path)
