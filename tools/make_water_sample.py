"""Write the bundled SYNTHETIC water sample month (data/sample/water/) for the Quzhou sample network.

No real Quzhou monitoring data were available to the project; these readings are made up, seeded and
reproducible (`python tools/make_water_sample.py`), shaped like real lab files: non-detects written as
the detection limit followed by ``L``, ``---`` for items not measured, one sample per section in the
month, and an automatic-station export every 4 hours. Levels are chosen so that the month shows both
outcomes: one Qiantang main-stream section (衢江樟树潭, below the city) misses its class III target on
ammonia, and one township source misses its target on total phosphorus.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "data" / "sample" / "water"
rng = np.random.default_rng(20190701)

# Typical levels of a clean Qiantang-basin river (mg/L; pH 1; coliform MPN/L) and each section's factor.
BASE = {"ph": 7.4, "do": 8.0, "codmn": 2.6, "cod": 11.0, "bod5": 1.8, "nh3n": 0.28, "tp": 0.07, "tn": 1.4,
        "cu": 0.004, "zn": 0.01, "f": 0.22, "se": None, "as": 0.0011, "hg": None, "cd": None, "cr6": None,
        "pb": None, "cn": None, "phenol": None, "oil": 0.02, "las": None, "s2": None, "fecal_coliform": 1700,
        "water_temp": 27.5}  # fmt: skip
DETECTION_LIMITS = {"se": 0.0004, "hg": 0.00004, "cd": 0.0005, "cr6": 0.004, "pb": 0.0025, "cn": 0.004,
                    "phenol": 0.0003, "las": 0.05, "s2": 0.005}  # fmt: skip
POLLUTION = {"QZW05": {"nh3n": 4.3, "tp": 2.4, "codmn": 1.5, "bod5": 1.7}, "QZW06": {"nh3n": 2.0, "tp": 1.6},
             "QZW18": {"tp": 3.4, "nh3n": 1.8}, "QZW02": {"nh3n": 0.5, "tp": 0.6}}  # fmt: skip
LAKE = {"tp": 0.22, "nh3n": 0.35, "codmn": 0.8, "tn": 0.55}  # reservoirs: little phosphorus, clear water
TABLE2 = {"so4": 12.0, "cl": 6.0, "no3n": 0.9, "fe": 0.06, "mn": 0.02}
AUTO_ITEMS = ["ph", "do", "codmn", "nh3n", "tp", "tn", "water_temp", "turbidity", "conductivity"]


def sections() -> list[dict]:
    path = OUT.parent.parent / "reference" / "water_sections_quzhou.csv"
    return list(csv.DictReader(line for line in path.open(encoding="utf-8") if not line.startswith("#")))


def level(section: dict, item: str) -> float | None:
    base = BASE.get(item, TABLE2.get(item))
    if base is None:
        return None
    factor = POLLUTION.get(section["section_code"], {}).get(item, 1.0)
    if section["waterbody"] == "lake":
        factor *= LAKE.get(item, 1.0)
    return base * factor


def lab_text(item: str, value: float | None) -> str:
    if value is None:
        return np.format_float_positional(DETECTION_LIMITS[item], trim="-") + "L"
    if item == "ph":
        return f"{value:.2f}"
    if item == "fecal_coliform":
        return f"{round(value, -1):.0f}"
    return (
        np.format_float_positional(value, precision=3, unique=False, fractional=False, trim="-")
        if value < 1
        else f"{value:.1f}"
    )


def manual(rows: list[dict]) -> None:
    items = list(BASE) + list(TABLE2)
    with (OUT / "water_manual_2019-07.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["section_code", "sample_date", *items])
        for i, section in enumerate(rows):
            cells = []
            for item in items:
                if item in TABLE2 and not section["drinking_source_level"]:
                    cells.append("---")  # supplementary items only at drinking-water sources
                elif item == "fecal_coliform" and i % 5 == 4:
                    cells.append("---")
                else:
                    mean = level(section, item)
                    noisy = None if mean is None else mean * (1 + 0.08 * rng.standard_normal())
                    if item == "ph" and noisy is not None:
                        noisy = 7.0 + (noisy - 7.0) * 0.5
                    cells.append(lab_text(item, noisy))
            writer.writerow([section["section_code"], f"2019-07-{3 + i % 8:02d}", *cells])


def auto(rows: list[dict]) -> None:
    stations = [s for s in rows if s["has_auto_station"] == "true"]
    times = np.arange(np.datetime64("2019-07-01T00:00"), np.datetime64("2019-08-01T00:00"), np.timedelta64(4, "h"))
    with (OUT / "water_auto_2019-07.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["section_code", "time", *AUTO_ITEMS])
        for section in stations:
            for t in times:
                hour = t.astype("datetime64[h]").astype(int) % 24
                values = []
                for item in AUTO_ITEMS:
                    if item == "turbidity":
                        values.append(f"{rng.lognormal(np.log(8), 0.3):.1f}")
                    elif item == "conductivity":
                        values.append(f"{rng.normal(120, 8):.0f}")
                    else:
                        mean = level(section, item)
                        if item == "do":
                            mean += 0.8 * np.cos(2 * np.pi * (hour - 15) / 24)
                        value = mean * (1 + 0.05 * rng.standard_normal())
                        values.append(f"{value:.2f}" if item in ("ph", "do", "water_temp") else f"{value:.3f}")
                writer.writerow([section["section_code"], str(t).replace("T", " "), *values])


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    network = sections()
    manual(network)
    auto(network)
    print(f"wrote {OUT}/water_manual_2019-07.csv and water_auto_2019-07.csv")
