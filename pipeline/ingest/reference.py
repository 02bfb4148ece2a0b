"""Readers of the bundled reference files of ``data/reference``: the CNEMC station list (GBK) and the
registry CSVs (water sections, source outlets, limits and caps, the 811 plan's targets), each with its
provenance in ``#`` lines."""

from __future__ import annotations

import csv
import io
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "data" / "reference"


STATION_LIST = REFERENCE_DIR / "NewSiteList_GBK.csv"


WATER_SECTIONS = REFERENCE_DIR / "water_sections_quzhou.csv"


SOURCE_OUTLETS = REFERENCE_DIR / "source_outlets_quzhou.csv"


SOURCE_LIMITS = REFERENCE_DIR / "source_limits_quzhou.csv"


SOURCE_CAPS = REFERENCE_DIR / "source_caps_quzhou.csv"


PLAN_TARGETS = REFERENCE_DIR / "plan_targets_811.csv"


RANK_UNIVERSES = REFERENCE_DIR / "rank_universes.csv"


def _station_list_text(path: Path) -> str:
    """The station list's text: GBK as CNEMC publishes it, or UTF-8 if someone re-saved it so (told
    apart by the header, which must hold 监测点编码). Anything else is a clear ValueError, never an
    empty or garbled registry."""
    data = path.read_bytes()
    for encoding in ("gbk", "utf-8-sig"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "监测点编码" in text.partition("\n")[0]:
            return text
    raise ValueError(f"{path}: not the CNEMC station list (no 监测点编码 column in its header, read as GBK or UTF-8)")


def read_station_list(path: Path = STATION_LIST) -> list[dict]:
    """Rows of the CNEMC station list (GBK; columns 监测点编码, 监测点名称, 城市, 经度, 纬度, 对照点,
    省级行政区, 地级行政区) in the ``station`` table's columns. Blank or ``-`` coordinates -> NULL."""

    def number(text: str) -> float | None:
        try:
            return float(text)
        except ValueError:
            return None

    text = _station_list_text(path)
    rows = []
    seen = set()
    for row in csv.DictReader(io.StringIO(text)):
        code = (row.get("监测点编码") or "").strip()
        if not code or code in seen:
            continue
        seen.add(code)
        rows.append(
            {
                "station_code": code,
                "name_zh": (row.get("监测点名称") or "").strip(),
                "city_zh": (row.get("城市") or "").strip() or None,
                "province_zh": (row.get("省级行政区") or "").strip() or None,
                "prefecture_zh": (row.get("地级行政区") or "").strip() or None,
                "county_zh": None,
                "lon": number((row.get("经度") or "").strip()),
                "lat": number((row.get("纬度") or "").strip()),
                "is_background": (row.get("对照点") or "").strip().upper() == "Y",
                "source": f"CNEMC station list ({path.name})",
            }
        )
    return rows


class RegistryError(ValueError):
    """A registry file of data/reference (or one given instead) that cannot be read; names the file and line."""


def read_reference(path: Path, booleans=(), integers=(), floats=(), optional=()) -> list[dict]:
    """Rows of a registry CSV of data/reference (``#`` lines are its provenance header), typed. A line with more
    or fewer fields than the header, or a value of the wrong type, is a :class:`RegistryError` naming the file,
    the line and the field (nothing is loaded: a registry is loaded whole or not at all)."""
    text = path.read_text(encoding="utf-8")
    numbered = [(n, line) for n, line in enumerate(io.StringIO(text), start=1) if not line.startswith("#")]
    if not numbered:
        raise RegistryError(f"{path.name}: no header line")
    records = list(csv.reader(line for _, line in numbered))
    header = [h.strip() for h in records[0]]
    rows = []
    for (number, _), fields in zip(numbered[1:], records[1:], strict=False):
        if not fields:
            continue
        if len(fields) != len(header):
            raise RegistryError(
                f"{path.name} line {number}: {len(fields)} fields, expected {len(header)} ({','.join(header)})"
            )
        row = {key: value.strip() for key, value in zip(header, fields, strict=True)}
        for key in booleans:
            if row[key].lower() not in ("true", "false"):
                raise RegistryError(f"{path.name} line {number}: {key} {row[key]!r} is not true or false")
            row[key] = row[key].lower() == "true"
        for key in (*integers, *floats, *optional):
            if row[key] == "":
                row[key] = None
            elif key in integers or key in floats:
                try:
                    row[key] = int(row[key]) if key in integers else float(row[key])
                except ValueError:
                    kind = "a whole number" if key in integers else "a number"
                    raise RegistryError(f"{path.name} line {number}: {key} {row[key]!r} is not {kind}") from None
        rows.append(row)
    return rows


def read_water_sections(path: Path = WATER_SECTIONS) -> list[dict]:
    return read_reference(
        path, booleans=("is_qiantang_mainstream", "has_auto_station"), integers=("target_class",),
        optional=("drinking_source_level",),
    )  # fmt: skip
