"""Seeded synthetic data at national scale, in the real formats the pipeline reads.

For one natural day D (and the first hour of D+1 that D's last hour needs):

- air: the national platform's wide files ``china_sites_YYYYMMDD.csv`` (``date,hour,type,<station>...``,
  15 types per hour: AQI, the six pollutants and their published 24-h / 8-h values) for the first
  ``n_stations`` codes of the national station list: 1,700 x 24 = 40,800 station-hours a night;
- water: an automatic-station export ``water_auto_YYYY-MM.csv`` (``section_code,time,ph,do,...``), one
  reading every 4 hours from ``n_sections`` synthetic sections (``NW00001``...);
- sources: an HJ 212-2017 platform log ``hj212_YYYY-MM.log`` of hourly messages (CN=2061, CRC-16 framed)
  from ``n_outlets`` synthetic flue-gas outlets (``NS00001``...), five items each (SO2, NOx, PM, O2, flow).

The default shares, a national night as this project counts it: 1,700 air stations (the national network,
as issue 7 puts it), 1,900 water automatic stations (about the number of national surface-water automatic
stations), 2,000 key flue-gas outlets. The water sections and outlets are not in the bundled registries;
:func:`registry_rows` gives their rows for a benchmark warehouse. Everything is a pure function of the seed.

Run alone: ``.venv/bin/python bench/national_data.py OUT_DIR [--day 2019-07-01]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.ingest.hj212 import frame  # noqa: E402
from pipeline.ingest.reference import read_station_list  # noqa: E402

SEED = 811
N_STATIONS = 1_700
N_SECTIONS = 1_900
N_OUTLETS = 2_000
AIR_TYPES = ("AQI", "PM2.5", "PM2.5_24h", "PM10", "PM10_24h", "SO2", "SO2_24h", "NO2", "NO2_24h", "O3", "O3_24h",
             "O3_8h", "O3_8h_24h", "CO", "CO_24h")  # fmt: skip
# Typical levels (median) of each hourly value, ug/m3 (CO mg/m3); the spread is lognormal.
AIR_LEVELS = {"PM2.5": 30, "PM10": 55, "SO2": 8, "NO2": 25, "O3": 70, "CO": 0.7}
WATER_ITEMS = {  # item: (median, sigma, decimals)
    "ph": (7.4, 0.03, 2), "do": (7.5, 0.1, 2), "codmn": (3.0, 0.25, 3), "nh3n": (0.3, 0.5, 3), "tp": (0.08, 0.4, 3),
    "tn": (1.4, 0.3, 3), "water_temp": (22.0, 0.15, 2), "turbidity": (8.0, 0.5, 1), "conductivity": (300.0, 0.3, 0),
}  # fmt: skip


def station_codes(n: int = N_STATIONS) -> list[str]:
    """The first ``n`` codes of the national station list (real codes, so the registry knows them)."""
    codes = [row["station_code"] for row in read_station_list()]
    if n > len(codes):
        raise ValueError(f"the station list has {len(codes)} stations, fewer than {n}")
    return codes[:n]


def air_file(day: dt.date, codes: list[str], rng: np.random.Generator) -> str:
    """One national wide file of ``day`` (hours 0-23) as text."""
    n = len(codes)
    station_level = rng.lognormal(0.0, 0.35, n)
    rows = []
    for hour in range(24):
        diurnal = 1.0 + 0.25 * np.sin((hour - 9) / 24 * 2 * np.pi)
        values = {}
        for name, median in AIR_LEVELS.items():
            level = median * station_level * (diurnal if name == "O3" else 2.0 - diurnal)
            values[name] = level * rng.lognormal(0.0, 0.25, n)
        values["PM2.5_24h"], values["PM10_24h"] = values["PM2.5"] * 0.95, values["PM10"] * 0.95
        values["SO2_24h"], values["NO2_24h"], values["CO_24h"] = values["SO2"], values["NO2"], values["CO"]
        values["O3_24h"], values["O3_8h"] = values["O3"] * 1.3, values["O3"] * 0.9
        values["O3_8h_24h"] = values["O3_8h"] * 1.2
        values["AQI"] = np.maximum(values["PM2.5"] * 1.4, values["O3"] * 0.6)
        for kind in AIR_TYPES:
            column = np.round(values[kind], 1 if kind.startswith("CO") else 0)
            text = np.where(rng.random(n) < 0.01, "", column.astype(str))  # 1 % missing, as on the platform
            rows.append(f"{day:%Y%m%d},{hour},{kind}," + ",".join(t.removesuffix(".0") for t in text))
    return "date,hour,type," + ",".join(codes) + "\n" + "\n".join(rows) + "\n"


def water_file(day: dt.date, n_sections: int, rng: np.random.Generator) -> pd.DataFrame:
    """Automatic-station readings of ``day`` every 4 hours, one row per section and time."""
    times = [dt.datetime.combine(day, dt.time(h)) for h in range(0, 24, 4)]
    sections = [f"NW{i:05d}" for i in range(1, n_sections + 1)]
    index = pd.MultiIndex.from_product([sections, times], names=["section_code", "time"])
    frame_ = pd.DataFrame(index=index).reset_index()
    for item, (median, sigma, decimals) in WATER_ITEMS.items():
        frame_[item] = np.round(median * rng.lognormal(0.0, sigma, len(frame_)), decimals)
    frame_["time"] = frame_["time"].dt.strftime("%Y-%m-%d %H:%M")
    return frame_


def outlet_mn(i: int) -> str:
    return f"NS{i:05d}A8900016F{i:04d}"[:24]


def source_log(day: dt.date, n_outlets: int, rng: np.random.Generator) -> str:
    """HJ 212-2017 hourly messages (CN=2061) of ``day`` from ``n_outlets`` flue-gas outlets."""
    lines = []
    so2 = 60.0 * rng.lognormal(0.0, 0.5, n_outlets)
    for hour in range(24):
        stamp = f"{day:%Y%m%d}{hour:02d}0000"
        noise = rng.lognormal(0.0, 0.1, (5, n_outlets))
        for i in range(n_outlets):
            cp = (
                f"DataTime={stamp};a21026-Avg={so2[i] * noise[0, i]:.1f},a21026-Flag=N;"
                f"a21002-Avg={50.0 * noise[1, i]:.1f},a21002-Flag=N;a34013-Avg={8.0 * noise[2, i]:.2f},a34013-Flag=N;"
                f"a19001-Avg={6.0 * noise[3, i]:.2f},a19001-Flag=N;a00000-Avg={40.0 * noise[4, i]:.2f},a00000-Flag=N"
            )
            segment = f"QN={stamp}000;ST=31;CN=2061;PW=123456;MN={outlet_mn(i + 1)};Flag=4;CP=&&{cp}&&"
            lines.append(frame(segment).rstrip("\r\n"))
    return "\n".join(lines) + "\n"


def registry_rows(n_sections: int = N_SECTIONS, n_outlets: int = N_OUTLETS) -> dict[str, list[dict]]:
    """Registry rows for the synthetic water sections and outlets (``water_section``, ``source_outlet``,
    ``source_limit``), to be inserted into a benchmark warehouse after ``init-db``."""
    sections = [
        {"section_code": f"NW{i:05d}", "name_zh": f"合成断面{i}", "waterbody": "river", "river_zh": f"合成河{i % 300}",
         "basin_zh": "合成流域", "county_zh": "合成县", "is_qiantang_mainstream": False,
         "drinking_source_level": None, "target_class": 3, "has_auto_station": True, "name_origin": "synthetic (bench)"}
        for i in range(1, n_sections + 1)
    ]  # fmt: skip
    outlets = [
        {"outlet_code": f"NS{i:05d}", "mn": outlet_mn(i), "enterprise_zh": f"合成企业{i}", "outlet_zh": "烟囱",
         "county_zh": "合成县", "industry": "thermal power", "key_source": True, "outlet_type": "flue_gas",
         "ref_o2_pct": 6.0, "name_origin": "synthetic (bench)"}
        for i in range(1, n_outlets + 1)
    ]  # fmt: skip
    limits = [
        {"outlet_code": o["outlet_code"], "pollutant": pollutant, "limit_value": limit, "unit": "mg/m3",
         "basis": "hourly", "standard": "GB 13223-2011 Table 1", "verification": "synthetic (bench)"}
        for o in outlets
        for pollutant, limit in (("so2", 200.0), ("nox", 100.0), ("pm", 30.0))
    ]  # fmt: skip
    return {"water_section": sections, "source_outlet": outlets, "source_limit": limits}


def write_night(out: Path, day: dt.date, n_stations: int = N_STATIONS, n_sections: int = N_SECTIONS,
                n_outlets: int = N_OUTLETS, seed: int = SEED) -> dict:  # fmt: skip
    """Write the files of natural day ``day`` into ``out/air``, ``out/water``, ``out/sources``; returns
    what was written (files and counts)."""
    rng = np.random.default_rng(seed)
    for sub in ("air", "water", "sources"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    codes = station_codes(n_stations)
    for d in (day, day + dt.timedelta(days=1)):
        (out / "air" / f"china_sites_{d:%Y%m%d}.csv").write_text(air_file(d, codes, rng), encoding="utf-8")
    water = water_file(day, n_sections, rng)
    water.to_csv(out / "water" / f"water_auto_{day:%Y-%m}.csv", index=False)
    (out / "sources" / f"hj212_{day:%Y-%m}.log").write_text(source_log(day, n_outlets, rng), encoding="ascii")
    return {
        "day": day.isoformat(), "air_station_hours": n_stations * 24, "air_values": n_stations * 24 * len(AIR_TYPES),
        "water_readings": len(water), "water_values": len(water) * len(WATER_ITEMS),
        "source_messages": n_outlets * 24, "source_values": n_outlets * 24 * 5,
    }  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--day", type=dt.date.fromisoformat, default=dt.date(2019, 7, 1))
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    print(write_night(args.out, args.day, seed=args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
