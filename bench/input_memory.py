"""Peak memory of `python -m pipeline ingest` on small files that unfold into many values (issue 28.6), run by
`make bench-memory`; figures to bench/input_memory.md and bench/input_memory.json.

Each input is made here (seeded), loaded into a fresh SQLite warehouse by the command as the data team runs it,
in a child process whose peak RSS (``wait4``'s ``ru_maxrss``) is the figure. Target: every input peaks below
1.5 GB, whether it is accepted or refused. The inputs: a national air file with 8,000 extra station columns (the
8.3 MB file that peaked at 3.5 GB), a 4.6 MB lab workbook of a million cells (3.6 GB), a 90 MB water CSV with long
remarks (2.85 GB, 181 MB of quarantine); and, beside them, the largest inputs the caps accept.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
TARGET_MB = 1500
TYPES = ["AQI", "PM2.5", "PM2.5_24h", "PM10", "PM10_24h", "SO2", "SO2_24h", "NO2", "NO2_24h", "O3", "O3_24h",
         "O3_8h", "O3_8h_24h", "CO", "CO_24h"]  # fmt: skip


def air_file(path: Path, stations: int, rng: random.Random) -> Path:
    """A national wide file of one day: the three Quzhou stations and ``stations`` more (unknown codes)."""
    codes = ["1264A", "1265A", "1266A"] + [f"{9000 + i // 26:04d}{chr(65 + i % 26)}" for i in range(stations)]
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("date,hour,type," + ",".join(codes) + "\r\n")
        for hour in range(24):
            for kind in TYPES:
                cells = ",".join(str(rng.randint(1, 120)) for _ in codes)
                out.write(f"20190210,{hour},{kind},{cells}\r\n")
    return path


def long_air(path: Path, rows: int, rng: random.Random) -> Path:
    """A long air CSV (station_code,time,pollutant,value,unit) of ``rows`` readings of Quzhou's stations."""
    with open(path, "w", encoding="utf-8") as out:
        out.write("station_code,time,pollutant,value,unit\n")
        for i in range(rows):
            out.write(f"126{4 + i % 3}A,2019-02-10 {1 + (i // 3) % 23:02d}:00,pm25,{rng.randint(1, 120)},ug/m3\n")
    return path


def water_workbook(path: Path, rows: int, rng: random.Random) -> Path:
    import openpyxl

    items = ["ph", "do", "codmn", "cod", "bod5", "nh3n", "tp", "tn", "cu", "zn", "f", "se", "as", "hg", "cd", "cr6",
             "pb", "cn", "phenol", "oil", "las", "s2", "fecal_coliform", "water_temp", "so4", "cl", "no3n", "fe",
             "mn"]  # fmt: skip
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("lab")
    sheet.append(["section_code", "sample_date", *items])
    for i in range(rows):
        sheet.append([f"QZW0{1 + i % 6}", f"2019-07-{1 + i % 28:02d}", *(round(rng.random(), 3) for _ in items)])
    book.save(path)
    return path


def water_csv(path: Path, rows: int, rng: random.Random) -> Path:
    """An automatic stations' export (section_code,time + 8 items) of ``rows`` rows."""
    with open(path, "w", encoding="utf-8") as out:
        out.write("section_code,time,ph,do,codmn,nh3n,tp,tn,water_temp,turbidity\n")
        for i in range(rows):
            values = ",".join(f"{rng.random() * 5:.3f}" for _ in range(8))
            out.write(f"QZW0{1 + i % 6},2019-07-{1 + (i // 144) % 28:02d} {(i // 6) % 24:02d}:00,{values}\n")
    return path


def water_csv_with_remarks(path: Path, rows: int, remark_chars: int, rng: random.Random) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        out.write("section_code,sample_date,ph,do,nh3n,remark\n")
        for i in range(rows):
            remark = "".join(rng.choice("abcdefghij ") for _ in range(remark_chars))
            out.write(f"QZW0{1 + i % 6},2019-07-{1 + i % 28:02d},7.1,7.5,0.3,{remark}\n")
    return path


def peak_of(kind: str, path: Path, folder: Path) -> dict:
    """Run `ingest KIND PATH` into a fresh warehouse; its peak RSS [MB], exit status and last line."""
    env = {**os.environ, "QZ811_DB_URL": f"sqlite:///{folder / 'w.db'}", "QZ811_STAGING_DIR": str(folder / "s"),
           "QZ811_DATA_DOCS_DIR": str(folder / "docs")}  # fmt: skip
    (folder / "w.db").unlink(missing_ok=True)
    subprocess.run([sys.executable, "-m", "pipeline", "init-db"], env=env, cwd=REPO, check=True, capture_output=True)
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        child = subprocess.Popen([sys.executable, "-m", "pipeline", "ingest", kind, str(path)], env=env, cwd=REPO,
                                 stdout=out, stderr=err)  # fmt: skip
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0), out.seek(0)
        said = (err.read() or out.read()).decode("utf-8", "replace").strip().splitlines()
    quarantine = 0
    if child.returncode == 0:
        import sqlite3

        with sqlite3.connect(folder / "w.db") as conn:
            quarantine = conn.execute("SELECT COALESCE(SUM(LENGTH(raw_record)), 0) FROM quarantine").fetchone()[0]
    return {"peak_mb": round(usage.ru_maxrss / 1024), "exit": child.returncode, "said": (said or [""])[-1][:160],
            "size_mb": round(path.stat().st_size / 1e6, 1), "quarantine_mb": round(quarantine / 1e6, 1)}  # fmt: skip


CASES = [
    ("air", "national day + 8,000 unknown station columns (issue 28.6)", lambda p, r: air_file(p / "china_sites_20190210.csv", 8000, r)),
    ("air", "a national day of 2,480 stations (the most accepted)", lambda p, r: air_file(p / "china_sites_20190210.csv", 2480, r)),
    ("air", "long air CSV of 2,000,000 rows (what the text cap took before)", lambda p, r: long_air(p / "air_2019-02-10.csv", 2_000_000, r)),
    ("air", "long air CSV of 499,000 rows (the most accepted)", lambda p, r: long_air(p / "air_2019-02-10.csv", 499_000, r)),
    ("water", "lab workbook of a million cells (issue 28.6)", lambda p, r: water_workbook(p / "lab_2019-07.xlsx", 33_000, r)),
    ("water", "lab workbook of 397,000 cells (the most accepted)", lambda p, r: water_workbook(p / "lab_2019-07.xlsx", 12_800, r)),
    ("water", "water CSV of 399,000 cells (the most accepted)", lambda p, r: water_csv(p / "water_auto_2019-07.csv", 39_900, r)),
    ("water", "90 MB water CSV with 2 KB remarks (issue 28.6)", lambda p, r: water_csv_with_remarks(p / "water_manual_2019-07.csv", 45_000, 2000, r)),
]  # fmt: skip


def main() -> int:
    rng = random.Random(20190210)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, (kind, name, make) in enumerate(CASES):
            folder = Path(tmp) / f"case{n}"
            folder.mkdir()
            path = make(folder, rng)
            found = peak_of(kind, path, folder)
            found.update(kind=kind, input=name, met=found["peak_mb"] < TARGET_MB)
            print(f"{name}: {found['size_mb']} MB -> peak {found['peak_mb']} MB, exit {found['exit']}: {found['said']}",
                  flush=True)  # fmt: skip
            path.unlink()
            results.append(found)
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    (BENCH / "input_memory.json").write_text(json.dumps({"run": stamp, "target_mb": TARGET_MB, "results": results},
                                                        ensure_ascii=False, indent=1) + "\n", encoding="utf-8")  # fmt: skip
    lines = ["# Peak memory of `ingest` on inputs that unfold (issue 28.6)", "",
             f"Measured {stamp} by `bench/input_memory.py` (`make bench-memory`): each input made here (seeded), "
             "loaded by `python -m pipeline ingest` into a fresh SQLite warehouse in a child process; the figure is its "
             f"peak RSS. Target: below {TARGET_MB} MB for every input, accepted or refused.", "",
             "| input | file MB | peak RSS MB | met | exit | what the command said | quarantine raw text MB |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in results:
        said = r["said"].replace("|", "/")
        lines.append(f"| {r['input']} | {r['size_mb']} | {r['peak_mb']} | {'yes' if r['met'] else 'NO'} | {r['exit']} | "
                     f"{said} | {r['quarantine_mb']} |")  # fmt: skip
    (BENCH / "input_memory.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0 if all(r["met"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
