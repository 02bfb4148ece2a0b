"""National-scale benchmark: a synthetic year of hourly values -> station-day AQI -> monthly good-day ratios.

Run from the repo root: ``.venv/bin/python bench/run.py`` (``make bench``). Writes bench/results.md and
bench/results.json. The measured work runs in a child process (this script with ``--measure``) so that its
peak RSS is that process's own; the python-aqi speed peer then runs here, in the parent.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from pipeline.indicators.aqi import aqi_frame  # noqa: E402
from pipeline.indicators.daily import DAILY_STATISTICS, station_day_aqi  # noqa: E402
from pipeline.indicators.evaluation import city_day_values, good_day_ratio  # noqa: E402

SEED = 20190101
YEAR = 2019  # not a leap year: 8,760 hours, 365 natural days
YEAR_STARTS = {"2012": "2019-01-01", "2026": "2026-03-01"}
"""The measured year on each edition of the tables: 2019 (GB 3095-2012 / HJ 633-2012) and the 365 days from
2026-03-01 (GB 3095-2026 / HJ 633-2026), both 8,760 hours."""
N_STATIONS = 1_700
N_CITIES = 340
N_HOURS = 8_760
N_DAYS = N_HOURS // 24
MISSING_SHARE = 0.02
PY_AQI_SAMPLE = 20_000
TARGETS = {
    "national_year_daily_aqi_s": 2.0,  # issue 18 (was 30 s)
    "national_year_2026_daily_aqi_s": 2.0,
    "peak_rss_mb": 2_000.0,  # issue 18 (was 4,000 MB)
    "peak_rss_2026_mb": 2_000.0,
    "speedup_vs_python_aqi": 100.0,
}
BEFORE_ISSUE_18 = {"national_year_daily_aqi_s": 5.7, "peak_rss_mb": 2_484.3}
"""The figures of the last run before issue 18's changes (bench/results.md of commit 72f1611)."""
# python-aqi (MEP) keys of our daily statistics, and the top of its tables (it raises above them).
PY_AQI_KEYS = {"so2": "so2_24h", "no2": "no2_24h", "pm10": "pm10", "co": "co_24h", "pm25": "pm25",
               "o3_8h": "o3_8h", "o3_1h": "o3_1h"}  # fmt: skip
POLLUTANTS = ("so2", "no2", "pm10", "co", "o3", "pm25")
PY_AQI_TOP = {"so2": 2620, "no2": 940, "pm10": 600, "co": 60, "pm25": 500, "o3_8h": 800, "o3_1h": 1200}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def synthetic_year(rng: np.random.Generator, start: str = YEAR_STARTS["2012"]) -> tuple[pd.DataFrame, pd.Series]:
    """Hourly values of N_STATIONS stations over the N_DAYS days from ``start`` (station-major rows), and each
    station's city.

    Lognormal concentrations: city and station levels, a 3-day-smoothed city weather factor, winter-high
    particles and NOx, summer-high O3 with a diurnal cycle peaking at 15:00, hourly noise; rounded as the
    national network publishes (integers, CO to 0.1 mg/m³); MISSING_SHARE of values NaN at random.
    """
    city = np.arange(N_STATIONS) % N_CITIES
    hour = np.arange(1, N_HOURS + 1)  # hour-ending offsets from YEAR-01-01 00:00
    clock = (hour - 0.5) % 24  # middle of the hour, local time
    day = (hour - 1) // 24  # natural day 0 ... 364
    season = np.cos(2 * np.pi * (day - 15) / 365)[None, :]  # +1 mid-January, -1 mid-July
    weather = rng.standard_normal((N_CITIES, N_DAYS + 2))
    weather = ((weather[:, :-2] + weather[:, 1:-1] + weather[:, 2:]) / np.sqrt(3))[city][:, day]
    city_level = rng.lognormal(0.0, 0.4, N_CITIES)[city][:, None]

    def series(median: float, spread: float, seasonal: float, weather_k: float, diurnal: np.ndarray) -> np.ndarray:
        values = rng.standard_normal((N_STATIONS, N_HOURS))
        values *= spread
        values += weather_k * weather
        np.exp(values, out=values)
        values *= median * city_level * rng.lognormal(0.0, 0.25, N_STATIONS)[:, None]
        values *= (1 + seasonal * season) * diurnal[None, :]
        return values

    def cycle(peak_hour: float, amplitude: float) -> np.ndarray:
        return 1 + amplitude * np.cos(2 * np.pi * (clock - peak_hour) / 24)

    columns = {
        "pm25": series(32.0, 0.25, 0.35, 0.45, cycle(22, 0.15)),
        "so2": series(9.0, 0.40, 0.40, 0.30, cycle(11, 0.20)),
        "no2": series(28.0, 0.30, 0.20, 0.30, cycle(20, 0.30)),
        "co": series(0.8, 0.25, 0.30, 0.35, cycle(21, 0.15)),
        "o3": series(55.0, 0.25, -0.35, 0.25, np.exp(0.55 * np.cos(2 * np.pi * (clock - 15) / 24))),
    }
    columns["pm10"] = columns["pm25"] * rng.lognormal(np.log(1.6), 0.2, (N_STATIONS, N_HOURS))
    hourly: dict[str, np.ndarray] = {}
    for name in ("so2", "no2", "pm10", "co", "o3", "pm25"):
        values = columns.pop(name)
        np.round(values, 1 if name == "co" else 0, out=values)
        values[rng.random(values.shape) < MISSING_SHARE] = np.nan
        hourly[name] = values.ravel()
    codes = np.array([f"{1001 + i}A" for i in range(N_STATIONS)], dtype=object)
    stamps = np.datetime64(f"{start}T00:00", "ns") + hour.astype("timedelta64[h]")
    frame = pd.DataFrame(
        {
            "station_code": pd.Categorical.from_codes(np.repeat(np.arange(N_STATIONS), N_HOURS), codes),
            "hour_end": np.tile(stamps, N_STATIONS),
        }
        | hourly,
        copy=False,
    )
    return frame, pd.Series([f"city{c:03d}" for c in city], index=codes, name="city")


def memory_mb(field: str) -> float:
    """VmRSS / VmHWM of this process [MB] from /proc/self/status (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(out_path: Path, edition: str = "2012") -> None:
    """Child process: generate, time the hourly -> station-day AQI -> monthly ratio path, record peak RSS.
    edition: the tables the year is computed on (:data:`YEAR_STARTS`)."""
    rng = np.random.default_rng(SEED)
    log(f"generating {N_STATIONS:,} stations x {N_HOURS:,} h (seed {SEED}) ...")
    t0 = time.perf_counter()
    hourly, station_city = synthetic_year(rng, YEAR_STARTS[edition])
    generation_s = time.perf_counter() - t0
    gen_rss, gen_hwm = memory_mb("VmRSS"), memory_mb("VmHWM")
    log(f"generated {len(hourly):,} station-hours in {generation_s:.1f} s (RSS {gen_rss:,.0f} MB, peak {gen_hwm:,.0f})")

    log("computing station-day AQI, city-day values, monthly good-day ratios ...")
    t = [time.perf_counter()]
    station_days = station_day_aqi(hourly)
    t.append(time.perf_counter())
    city_days = city_day_values(station_days, station_city)
    t.append(time.perf_counter())
    monthly = good_day_ratio(city_days, "city", "month")
    t.append(time.perf_counter())
    names = ("station_day_aqi", "city_day_values", "good_day_ratio_month")
    steps = dict(zip(names, np.diff(t).round(3).tolist(), strict=True))
    log(f"done in {t[-1] - t[0]:.1f} s: {steps}")
    assert len(station_days) == N_STATIONS * N_DAYS and len(monthly) == N_CITIES * 12, (len(station_days), len(monthly))

    daily = station_days[list(DAILY_STATISTICS)]
    aqi_step_runs = []
    for _ in range(3):  # the AQI step alone: the work python-aqi does; best of 3, as python-aqi gets a warm loop
        start = time.perf_counter()
        aqi_frame(daily, mode="daily")
        aqi_step_runs.append(time.perf_counter() - start)
    aqi_step_only_s = min(aqi_step_runs)
    # Rows are station-major and complete, so station-day g holds rows 24*g ... 24*g+23.
    pick = np.sort(rng.choice(len(station_days), PY_AQI_SAMPLE, replace=False))
    rows = (pick[:, None] * 24 + np.arange(24)[None, :]).ravel()
    blocks = np.column_stack([hourly[p].to_numpy()[rows] for p in POLLUTANTS]).reshape(
        PY_AQI_SAMPLE, 24, len(POLLUTANTS)
    )
    np.save(out_path.with_suffix(".hours.npy"), blocks)
    station_days.iloc[pick][[*DAILY_STATISTICS, "aqi"]].to_pickle(out_path.with_suffix(".sample.pkl"))
    result = {
        "national_year_daily_aqi_s": round(t[-1] - t[0], 3),
        "steps_s": steps,
        "aqi_step_only_s": round(aqi_step_only_s, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_after_generation_mb": round(gen_rss, 1),
        "peak_rss_generation_mb": round(gen_hwm, 1),
        "generation_s": round(generation_s, 3),
        "station_hours": len(hourly),
        "missing_share": round(float(hourly[["so2", "no2", "pm10", "co", "o3", "pm25"]].isna().to_numpy().mean()), 4),
        "station_days": len(station_days),
        "valid_station_day_share": round(float(station_days["valid_day"].mean()), 4),
        "city_days": len(city_days),
        "city_months": len(monthly),
        "national_good_day_ratio_pct": round(100 * float(monthly["good_days"].sum() / monthly["valid_days"].sum()), 1),
        "first_day": YEAR_STARTS[edition],
        "aqi_editions": {str(k): int(v) for k, v in station_days["edition"].value_counts().items()},
    }
    out_path.write_text(json.dumps(result))


def per_value_station_day(hours: list[list[float]]) -> list[tuple[str, str]]:
    """The same work as ``station_day_values`` for one station-day, value by value in plain Python:
    24-h means with >= 20 hours, 8-h O3 windows (>= 6 hours) ending 08:00-24:00 and their max (>= 14
    windows or > 160), max 1-h O3 with >= 20 hours; rounded; returned as python-aqi (key, text) pairs."""
    stats: dict[str, float] = {}
    for j, name in enumerate(POLLUTANTS):
        values = [h[j] for h in hours if h[j] == h[j]]
        if name == "o3":
            windows = []
            for end in range(8, 25):
                window = [h[j] for h in hours[end - 8 : end] if h[j] == h[j]]
                if len(window) >= 6:
                    windows.append(sum(window) / len(window))
            best = round(max(windows)) if windows else None
            if best is not None and (len(windows) >= 14 or best > 160):
                stats["o3_8h"] = best
            if len(values) >= 20:
                stats["o3_1h"] = max(values)
        elif len(values) >= 20:
            stats[name] = round(sum(values) / len(values), 1 if name == "co" else 0)
    return [(PY_AQI_KEYS[k], str(min(v, PY_AQI_TOP[k]))) for k, v in stats.items()]


def python_aqi_loop(blocks: np.ndarray, sample: pd.DataFrame) -> tuple[int, float, float, float]:
    """The per-value loop on the sampled station-days: (station-days, seconds for the daily statistics in
    plain Python, seconds for python-aqi ``to_aqi`` on them, % of AQIs agreeing with ours). The two parts are
    timed apart so that python-aqi's own share is known."""
    import aqi

    days = blocks.tolist()
    start = time.perf_counter()
    pairs = [per_value_station_day(hours) for hours in days]
    stats_s = time.perf_counter() - start
    start = time.perf_counter()
    results = [aqi.to_aqi(p, algo=aqi.ALGO_MEP) if p else None for p in pairs]
    to_aqi_s = time.perf_counter() - start
    ours = sample["aqi"].to_numpy()
    theirs = np.array([np.nan if r is None else float(r) for r in results])
    both = ~np.isnan(ours) & ~np.isnan(theirs)
    return len(days), stats_s, to_aqi_s, round(100 * float(np.mean(ours[both] == theirs[both])), 1)


def machine() -> dict:
    import aqi

    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    return {"cpu_count": os.cpu_count(), "cpu": cpu, "memory_gb": round(memory_total_gb(), 1),
            "platform": platform.platform(), "python": platform.python_version(), "numpy": np.__version__,
            "pandas": pd.__version__, "python_aqi": aqi.__version__}  # fmt: skip


def memory_total_gb() -> float:
    line = next(ln for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal:"))
    return int(line.split()[1]) / 1024**2


NIGHT_TARGETS = {
    "night_sqlite_s": 30.0,
    "night_postgresql_s": 30.0,
    "postgresql_load_rows_per_s": 300_000.0,
    "night_peak_rss_mb": 4_000.0,
}  # fmt: skip  (issue 18: the nights < 30 s, were < 60 s)
NIGHT_BEFORE_ISSUE_18 = {"night_sqlite_s": 34.48, "night_postgresql_s": 28.17, "air.validate": (10.83, 8.28),
                         "water.validate": (2.39, 2.73), "sources.validate": (3.48, 3.44)}  # fmt: skip
"""The night as measured at the start of issue 18 (bench/results.md of commit 72f1611; stages: sqlite, postgresql)."""
# This session's first measurement of the same night (before the fixes recorded in results.md).
NIGHT_BEFORE = {"night_sqlite_s": 184.2, "night_postgresql_s": 94.3, "postgresql_load_rows_per_s": 29_401}


def national_night() -> dict:
    """bench/night.py and bench/load.py on one generated national night; PostgreSQL from
    QZ811_BENCH_PG_URL (``make bench`` starts a throw-away server), skipped without it."""
    pg = os.environ.get("QZ811_BENCH_PG_URL", "")
    with tempfile.TemporaryDirectory(prefix="qz811-night-") as tmp:
        log("a national night on SQLite" + (" and PostgreSQL" if pg else " (no QZ811_BENCH_PG_URL: no PostgreSQL)"))
        night = subprocess.run(
            [sys.executable, str(BENCH / "night.py"), "--data", tmp, *(["--pg", pg] if pg else [])],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        sys.stderr.write(night.stderr)
        result = json.loads(night.stdout)
        log("bulk-load and GX throughput")
        load = subprocess.run(
            [sys.executable, str(BENCH / "load.py"), tmp, *(["--pg", pg] if pg else [])],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        result["load"] = json.loads(load.stdout.strip().splitlines()[-1])
    runs = {run["database"]: run for run in result["runs"]}
    loads = {db["database"]: db for db in result["load"]["databases"]}
    figures = {
        "night_sqlite_s": runs["sqlite"]["night_s"],
        "night_peak_rss_mb": max(run["peak_rss_mb"] for run in result["runs"]),
    }
    if "postgresql" in runs:
        figures["night_postgresql_s"] = runs["postgresql"]["night_s"]
        figures["postgresql_load_rows_per_s"] = loads["postgresql"]["load_batch_rows_per_s"]
    return {**result, "figures": figures, "before": NIGHT_BEFORE}


def night_lines(r: dict) -> list[str]:
    night = r["night"]
    f, targets, before = night["figures"], r["targets"], night["before"]

    def row(label: str, key: str, unit: str, better: str) -> str:
        if key not in f:
            return (
                f"| {label} (`{key}`) | not measured (no PostgreSQL server) | {better} {targets[key]:,.0f} {unit} | |"
            )
        met = f[key] < targets[key] if better == "<" else f[key] >= targets[key]
        was = f"{before[key]:,}" if key in before else ""
        return f"| {label} (`{key}`) | {f[key]:,} {unit} | {better} {targets[key]:,.0f} {unit} | {'yes' if met else 'NO'} | {was} |"

    d = night["data"]
    lines = [
        "",
        "# Benchmark: a national night, end to end",
        "",
        f"One natural day ({d['day']}) of synthetic national data in the real formats (`bench/national_data.py`, "
        f"seeded): national wide air files for {d['air_station_hours']:,} station-hours ({d['air_values']:,} values), "
        f"an automatic water-station export ({d['water_readings']:,} readings, {d['water_values']:,} values) and an "
        f"HJ 212-2017 log ({d['source_messages']:,} hourly messages, {d['source_values']:,} values). Each database "
        "gets a fresh warehouse and the night's jobs as the DAGs run them (`bench/night.py`), in a child process.",
        "",
        "| figure | value | target | met | before |",
        "|---|---|---|---|---|",
        row("national night on SQLite", "night_sqlite_s", "s", "<"),
        row("national night on PostgreSQL", "night_postgresql_s", "s", "<"),
        row("PostgreSQL bulk load, `load_batch` of the night's air", "postgresql_load_rows_per_s", "rows/s", ">="),
        row("peak RSS of a night", "night_peak_rss_mb", "MB", "<"),
        "",
        "Stages (seconds):",
        "",
        "| stage | " + " | ".join(run["database"] for run in night["runs"]) + " |",
        "|---|" + "---|" * len(night["runs"]),
    ]
    for stage in night["runs"][0]["stages_s"]:
        lines.append(f"| {stage} | " + " | ".join(f"{run['stages_s'][stage]:.2f}" for run in night["runs"]) + " |")
    load = night["load"]
    lines += ["", f"Loader throughput on the night's {load['rows']:,} air rows (`bench/load.py`):", "",
              "| database | first load of the day | re-run (rows replaced) | database write alone |", "|---|---|---|---|"]  # fmt: skip
    for db in load["databases"]:
        lines.append(
            f"| {db['database']} | {db['load_batch_rows_per_s']:,} rows/s ({db['load_batch_s']} s) | "
            f"{db['rerun_load_batch_rows_per_s']:,} rows/s | {db['write_only_rows_per_s']:,} rows/s |"
        )
    lines += [
        "",
        f"GX validation (air suite, 27 expectations): {load['gx_validation_rows_per_s']:,} rows/s "
        f"({load['gx_validation_s']} s for {load['rows']:,} rows, GX's import and set-up included).",
        "",
        "## Issue 18: the night under 30 s",
        "",
        f"Before: {NIGHT_BEFORE_ISSUE_18['night_sqlite_s']} s on SQLite, {NIGHT_BEFORE_ISSUE_18['night_postgresql_s']} s on "
        "PostgreSQL; GX validation was the largest share (air.validate "
        f"{NIGHT_BEFORE_ISSUE_18['air.validate'][0]} / {NIGHT_BEFORE_ISSUE_18['air.validate'][1]} s, water.validate "
        f"{NIGHT_BEFORE_ISSUE_18['water.validate'][0]} / {NIGHT_BEFORE_ISSUE_18['water.validate'][1]} s, sources.validate "
        f"{NIGHT_BEFORE_ISSUE_18['sources.validate'][0]} / {NIGHT_BEFORE_ISSUE_18['sources.validate'][1]} s; sqlite / "
        "postgresql). What changed (`pipeline/validate.py`): GX evaluates the row-local expectations (not null, in a set, "
        "between; with or without a `row_condition` naming columns) on the *distinct combinations* of the columns each "
        "reads, a few thousand rows instead of a night's 600,000, grouped so that each set of columns is one GX batch; a "
        "failing combination makes every row carrying it fail; `expect_compound_columns_to_be_unique` still runs on all "
        "rows (its key columns only). GX decides every verdict; the Data Docs counts and percentages are rebuilt for the "
        "rows with GX's own formatter, so the page reads as a whole-frame run's. `tests/test_validate_fast.py` compares "
        "valid rows, quarantine, reasons, counts and the rendered page with GX on every row "
        "(`run_suite(..., by_distinct_values=False)`). About 2.3 s of air.validate is GX's import, once per process.",
        "",
        "## Profiled and fixed (before -> after, same data, this machine)",
        "",
        "The first run measured 184.2 s on SQLite and 94.3 s on PostgreSQL, PostgreSQL loading 29,401 rows/s. Profiles "
        "(cProfile per stage) found, and the fixes did:",
        "- `sources.daily_values` 56 s: a Python loop over outlet-days with `.loc` lookups; vectorised with one "
        "groupby (same output; checked against the old code on the sample month) -> 1.7 s.",
        "- `sources.ingest` 37 s: the HJ 212 CRC bit by bit in Python and a `pd.to_datetime` per message; a "
        "256-entry table and all messages' CRCs at once in numpy (`crc16_many`, tested equal to the standard's "
        "bitwise loop), DataTime parsing cached -> 4.8 s.",
        "- `water.ingest` 10 s: `pd.to_datetime` per row -> one vectorised ISO 8601 parse -> 1.5 s; "
        "`water.classes` 5 s: GB 3838 limits looked up per row -> cached -> 1.2 s.",
        "- `air.load` 21 s on PostgreSQL: COPY into a table whose foreign key to `ingest_batch` fired a trigger per "
        "row (1.2 M rows: 17.5 s with the FK, 5.4 s without); the hourly tables on PostgreSQL now have no FK (the "
        "batch row is written in the same transaction; a test checks no reading is orphaned), a key that leads with "
        "the time (rows arrive in time order), COPY in 50,000-row chunks so the server parses while Python formats "
        "-> 4.1 s. On SQLite, the driver's `executemany` with tuples instead of SQLAlchemy's dicts: 20.6 -> 9.2 s.",
        "- `air.daily_values` 3.9 s and the other reads of a day's rows: the driver's tuples instead of "
        "SQLAlchemy row objects -> 1.5 s; `air.indicators` 5.4 s: editions looked up per city and period -> one "
        "groupby -> 1.4 s; `air.ingest` 8.5 s: of the next day's national file only hour 0 is parsed -> 5.1 s.",
        "- Tried and dropped: GX in two processes (sharded by station): no faster on 2 CPUs.",
        "",
        "- `air.load` again on PostgreSQL, 4.2 s (161,437 rows/s for `load_batch`, against >= 300,000): the "
        "server's own `COPY` of the night's 612,000 rows, measured without Python, took 1.33 s into a table with no "
        "index and 2.75 s with the primary key (each row a B-tree insert); parsing the CSV's timestamps and numbers "
        "was half of the first figure. Two changes: **binary COPY** (`pipeline/store/pg_binary.py`, the rows encoded with "
        "numpy, no loop over rows; server side 1.33 -> 0.72 s), and **`air_hourly` partitioned by natural day** "
        "instead of by month, so that a night's rows go into a new table whose primary key is then built in one "
        "pass over the sorted rows (0.39 s instead of about 1.4 s of row-by-row inserts) and which is attached as "
        "the day's partition at commit (`qz811_start_day_partition` / `qz811_attach_day_partition`; ATTACH takes "
        "only a SHARE UPDATE EXCLUSIVE lock on the parent, so readers go on) -> about 2 s in the night; "
        "396,000 and 449,000 rows/s for `load_batch` in two runs of `make bench` (the table above has the last). "
        'Tried on the way: the key columns with `COLLATE "C"` (2.75 -> 2.57 s, '
        "dropped), a larger `maintenance_work_mem` for the index build (no gain), rows grouped by the lengths of "
        "their text fields to encode them as fixed-width records (fast to encode, but the index build over rows "
        "no longer sorted took 0.76 s instead of 0.39 s).",
        "- A re-run of a day (its rows replaced inside the existing partition: DELETE, then COPY into an indexed "
        "table) stays at about 75,000 rows/s; no target covers it. Swapping in a new partition would be as fast as "
        "a first load but needs DETACH, whose ACCESS EXCLUSIVE lock on `air_hourly` would make analysts' queries "
        "wait.",
        "",
        "The PostgreSQL server of `make bench` runs with `fsync=off` (it is the throw-away test server); on a "
        "server with fsync the figures include the WAL flush at commit.",
    ]
    return lines


def write_markdown(r: dict) -> None:
    def row(label: str, key: str, unit: str, better: str) -> str:
        value, target = r[key], r["targets"][key]
        met = value < target if better == "<" else value >= target
        return f"| {label} (`{key}`) | {value:,.1f} {unit} | {better} {target:,.0f} {unit} | {'yes' if met else 'NO'} |"

    m, s, y, b = r["machine"], r["steps_s"], r["year_2026"], r["before_issue_18"]
    per_day_us = 1e6 * r["per_value_loop_scaled_s"] / r["station_days"]
    lines = [
        "# Benchmark: national-scale year, hourly values -> station-day AQI -> monthly good-day ratios",
        "",
        f"Run {r['date']} by `bench/run.py` (seed {SEED}). Synthetic: {N_STATIONS:,} stations x {N_HOURS:,} h = "
        f"{r['station_hours']:,} station-hours ({100 * r['missing_share']:.1f} % missing) in {N_CITIES} cities.",
        "",
        "| figure | value | target | met |",
        "|---|---|---|---|",
        row(
            "2019 (2012 tables): hourly -> station-day AQI -> city monthly good-day ratios",
            "national_year_daily_aqi_s",
            "s",
            "<",
        ),
        row("2019: peak RSS of the measuring process", "peak_rss_mb", "MB", "<"),
        row("2026-03-01 + 365 days (2026 tables): the same", "national_year_2026_daily_aqi_s", "s", "<"),
        row("2026 year: peak RSS of its measuring process", "peak_rss_2026_mb", "MB", "<"),
        row("AQI of the year's station-days vs python-aqi, same work", "speedup_vs_python_aqi", "x", ">="),
        f"| hourly -> station-day AQI vs a per-value Python loop doing the same (`speedup_end_to_end_vs_per_value_loop`)"
        f" | {r['speedup_end_to_end_vs_per_value_loop']:,.1f} x | (no target) | |",
        "",
        f"- Timed section (perf_counter), hourly DataFrame already in memory (station codes categorical): "
        f"`station_day_aqi` {s['station_day_aqi']} s, `city_day_values` {s['city_day_values']} s, "
        f"`good_day_ratio(..., 'month')` {s['good_day_ratio_month']} s. Output: {r['station_days']:,} station-days "
        f"({100 * r['valid_station_day_share']:.1f} % valid), {r['city_days']:,} city-days, {r['city_months']:,} "
        f"city-months; good-day ratio over all: {r['national_good_day_ratio_pct']} %.",
        f"- The 2026-table year: `station_day_aqi` {y['steps_s']['station_day_aqi']} s, `city_day_values` "
        f"{y['steps_s']['city_day_values']} s, `good_day_ratio` {y['steps_s']['good_day_ratio_month']} s; its station-days by "
        f"AQI edition: {y['aqi_editions']}; good-day ratio over all {y['national_good_day_ratio_pct']} %.",
        f"- Before issue 18 (the 2019 year): {b['national_year_daily_aqi_s']} s, peak {b['peak_rss_mb']:,.0f} MB. What bought "
        "the difference: the hours taken a block of whole stations at a time (a slice of the station-major rows, "
        "250,000 station-hours) in two threads, each block's hour-major arrays small enough to stay in cache and to be "
        "reused by the allocator (the year-sized arrays cost more in page faults, kernel time, than in arithmetic: "
        "2.9 s of 3.7 s); the hour slots in int32 after one int64 division; the IAQI lookup tables built in integer "
        "arithmetic instead of `Fraction` (0.26 s at the first call); the bench's copy of all hourly values for the "
        "python-aqi sample taken column by column (peak RSS 1,960 -> 1,380 MB).",
        f"- Generation (not timed in the figure): {r['generation_s']:.1f} s.",
        f"- Peak RSS: `ru_maxrss` of a child process that generated the data and ran the timed section, so it includes "
        f"the generated data (RSS after generation {r['rss_after_generation_mb']:,.0f} MB, peak during generation "
        f"{r['peak_rss_generation_mb']:,.0f} MB).",
        f"- `speedup_vs_python_aqi`: python-aqi {m['python_aqi']} `aqi.to_aqi(..., algo=ALGO_MEP)` called once per "
        f"station-day with its daily statistics, on {r['python_aqi_sample_station_days']:,} sampled station-days "
        f"({r['python_aqi_sample_s']:.2f} s), scaled to the year's {r['station_days']:,} station-days = "
        f"{r['python_aqi_scaled_s']:,.1f} s; against our `aqi_frame` on the same {r['station_days']:,} station-days "
        f"({r['aqi_step_only_s']:.3f} s, best of 3). This is the work python-aqi does: concentrations in, AQI out.",
        f"- `speedup_end_to_end_vs_per_value_loop`: the same sample done value by value in plain Python from the hourly "
        f"values (24-h means with hour counts, the 17 8-h O3 windows and their validity, max 1-h O3, rounding: "
        f"{r['per_value_daily_stats_sample_s']:.2f} s) and then python-aqi: {per_day_us:.0f} µs a station-day, "
        f"{r['per_value_loop_scaled_s']:,.1f} s for the year, against our whole timed section. 100x here would mean "
        f"the national year in {r['per_value_loop_scaled_s'] / 100:.2f} s, "
        f"{1e9 * r['per_value_loop_scaled_s'] / 100 / r['station_hours']:.0f} ns per station-hour for all of it.",
        "- python-aqi is a speed peer, not a reference: it truncates concentrations (CO to whole mg/m³) and rounds "
        f"IAQIs half-even instead of up (HJ 633-2012); it agrees with our AQI on {r['python_aqi_agreement_pct']} % "
        "of the sample.",
        "",
        f"Machine: {m['cpu_count']} CPUs ({m['cpu']}), {m['memory_gb']} GB, {m['platform']}; Python {m['python']}, "
        f"numpy {m['numpy']}, pandas {m['pandas']}. Total bench run {r['total_run_s']:.0f} s.",
        "",
        "Reproduce: `make bench` (or `.venv/bin/python bench/run.py` from the repo root); machine-readable figures "
        "in `bench/results.json`.",
        "",
    ]
    if "night" in r:
        lines += night_lines(r)
    if r.get("calculators"):
        from bench.calculators import markdown as calculator_lines

        lines += ["", *calculator_lines(r["calculators"])]
    (BENCH / "results.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        measure(Path(sys.argv[2]))
        return
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        measure(Path(sys.argv[2]), sys.argv[3])
        return
    if sys.argv[1:] == ["--markdown"]:  # results.md again from results.json (the prose changed, not the figures)
        write_markdown(json.loads((BENCH / "results.json").read_text()))
        return
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "measure.json"
        subprocess.run([sys.executable, __file__, "--measure", str(out)], check=True)
        r = json.loads(out.read_text())
        sample = pd.read_pickle(out.with_suffix(".sample.pkl"))
        blocks = np.load(out.with_suffix(".hours.npy"))
        log("the same year on the 2026 tables (GB 3095-2026 / HJ 633-2026), from 2026-03-01 ...")
        out_2026 = Path(tmp) / "measure_2026.json"
        subprocess.run([sys.executable, __file__, "--measure", str(out_2026), "2026"], check=True)
        year_2026 = json.loads(out_2026.read_text())
    r |= {
        "national_year_2026_daily_aqi_s": year_2026["national_year_daily_aqi_s"],
        "peak_rss_2026_mb": year_2026["peak_rss_mb"],
        "year_2026": year_2026,
        "before_issue_18": BEFORE_ISSUE_18,
    }
    log(f"per-value loop with python-aqi over {len(sample):,} sampled station-days ...")
    n_calls, stats_s, to_aqi_s, agreement = python_aqi_loop(blocks, sample)
    scale = r["station_days"] / n_calls
    r |= {
        "speedup_vs_python_aqi": round(to_aqi_s * scale / r["aqi_step_only_s"], 1),
        "speedup_end_to_end_vs_per_value_loop": round((stats_s + to_aqi_s) * scale / r["national_year_daily_aqi_s"], 1),
        "python_aqi_sample_station_days": n_calls,
        "python_aqi_sample_s": round(to_aqi_s, 3),
        "python_aqi_scaled_s": round(to_aqi_s * scale, 1),
        "per_value_daily_stats_sample_s": round(stats_s, 3),
        "per_value_loop_scaled_s": round((stats_s + to_aqi_s) * scale, 1),
        "python_aqi_agreement_pct": agreement,
        "targets": TARGETS,
        "machine": machine(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "total_run_s": round(time.perf_counter() - started, 1),
    }
    log(f"python-aqi to_aqi: {to_aqi_s:.2f} s, daily statistics loop {stats_s:.2f} s for {n_calls:,} station-days")
    r["night"] = national_night()
    from bench.calculators import measure as measure_calculators

    log("the calculators against aqi-hub's per-row loop (1 M station-days, alternated runs) ...")
    try:
        r["calculators"] = measure_calculators()
    except (RuntimeError, OSError) as err:  # the other figures are kept
        log(f"the calculators could not be measured: {err}")
    r["targets"] = {**TARGETS, **NIGHT_TARGETS}
    (BENCH / "results.json").write_text(json.dumps(r, indent=2, ensure_ascii=False) + "\n")
    write_markdown(r)
    from bench.backfill import measure as measure_backfill
    from bench.backfill import write as write_backfill

    write_backfill(measure_backfill())  # a real year end to end (issue 24): bench/backfill.md
    for key, target in TARGETS.items():
        log(f"{key} = {r[key]:,} (target {'>=' if key.startswith('speedup') else '<'} {target:,})")
    for key, value in r["night"]["figures"].items():
        log(f"{key} = {value:,} (target {NIGHT_TARGETS[key]:,})")
    log("wrote bench/results.md and bench/results.json")


if __name__ == "__main__":
    main()
