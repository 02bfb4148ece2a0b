"""Issue 24's backfill figures: a real year loaded end to end by ``python -m pipeline backfill``, whole process.

- Zhejiang's 2019 (the bundled ``data/sample/air_2019``: 364 files, 76 stations) into a fresh SQLite warehouse,
  and into a fresh PostgreSQL database when ``QZ811_BENCH_PG_URL`` names a server (``make bench`` starts one);
- the national 2019 year (~1,600 stations), when ``QZ811_BENCH_NATIONAL_DIR`` names a folder with its 364 files
  (the archive ``Feryt/IntroML-Final-Project`` at 79a21d7; not in this repository), with the default hourly scope.

Each figure is one run of the whole command in a child process (its wall time and peak RSS), after ``init-db``.
Writes ``bench/backfill.md`` and the ``backfill`` entry of ``bench/results.json``.
Run alone: ``.venv/bin/python bench/backfill.py`` (``make bench`` runs it too).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
YEAR = ["--from", "2019-01-01", "--to", "2019-12-31", "--known-gap", "2019-04-08"]
TARGETS = {"zhejiang_year_sqlite_s": 60, "zhejiang_year_postgresql_s": 60, "national_year_s": 180, "peak_rss_mb": 4096}
"""Issue 24: a Zhejiang year < 60 s on each database; a national year < 3 min; peak RSS < 4 GB throughout."""


def _fresh_pg_database(server_url: str) -> str:
    import uuid

    import sqlalchemy as sa

    name = f"qz811_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)


def run_backfill(db_url: str, landing: Path, folder: Path, extra: tuple[str, ...] = ()) -> dict:
    """``init-db`` then the year's backfill in a child process: wall time, peak RSS, and its last lines."""
    env = {**os.environ, "QZ811_DB_URL": db_url, "QZ811_STAGING_DIR": str(folder / "staging"),
           "QZ811_DATA_DOCS_DIR": str(folder / "docs")}  # fmt: skip
    subprocess.run([sys.executable, "-m", "pipeline", "init-db"], env=env, check=True, capture_output=True, cwd=REPO)
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen([sys.executable, "-m", "pipeline", "backfill", *YEAR, "--landing", str(landing),
                                  *extra], env=env, stdout=out, stderr=err, text=True, cwd=REPO)  # fmt: skip
        tree = TreeRss(child.pid)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        tree.stop()
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        stdout, stderr = out.read(), err.read()
    if child.returncode != 0:
        raise RuntimeError(f"backfill failed ({child.returncode}): {stderr[-1000:]}")
    summary = [line for line in stdout.splitlines() if line.startswith("backfill done")]
    return {"s": round(seconds, 1), "peak_rss_mb": round(max(tree.peak_mb, usage.ru_maxrss / 1024), 0),
            "largest_process_mb": round(usage.ru_maxrss / 1024, 0), "summary": summary[-1:]}  # fmt: skip


class TreeRss:
    """The peak of the summed memory of a process and its descendants (the backfill's worker processes), sampled
    from /proc every 0.1 s: what the machine must hold at once, not only the largest process. Each process counts
    its proportional set size (PSS: a page shared by the forked workers counted once in all), else its RSS."""

    def __init__(self, pid: int) -> None:
        import threading

        self.pid, self.peak_mb, self._done = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.wait(0.1):
            self.peak_mb = max(self.peak_mb, sum(_rss_mb(p) for p in _tree(self.pid)))

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def _tree(pid: int) -> list[int]:
    pids, found = [pid], 0
    while found < len(pids):
        try:
            children = Path(f"/proc/{pids[found]}/task/{pids[found]}/children").read_text().split()
        except OSError:
            children = []
        pids += [int(c) for c in children]
        found += 1
    return pids


def _rss_mb(pid: int) -> float:
    """A process's PSS (smaps_rollup), else its RSS (status), in MB; 0 for a process gone."""
    for file, field in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            found = [line for line in Path(f"/proc/{pid}/{file}").read_text().splitlines() if line.startswith(field)]
        except OSError:
            continue
        if found:
            return int(found[0].split()[1]) / 1024
    return 0.0


def measure() -> dict:
    results: dict = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "targets": TARGETS}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        zhejiang = REPO / "data" / "sample" / "air_2019"
        print("backfill: Zhejiang 2019 into SQLite ...", flush=True)
        results["zhejiang_year_sqlite"] = run_backfill(f"sqlite:///{folder / 'year.db'}", zhejiang, folder)
        server = os.environ.get("QZ811_BENCH_PG_URL")
        if server:
            print("backfill: Zhejiang 2019 into PostgreSQL ...", flush=True)
            results["zhejiang_year_postgresql"] = run_backfill(_fresh_pg_database(server), zhejiang, folder)
        national = os.environ.get("QZ811_BENCH_NATIONAL_DIR")
        if national:
            print("backfill: the national 2019 year into SQLite (hourly kept for Zhejiang) ...", flush=True)
            results["national_year_sqlite"] = run_backfill(
                f"sqlite:///{folder / 'national.db'}", Path(national), folder
            )
    return results


def write(results: dict) -> None:
    path = BENCH / "results.json"
    record = json.loads(path.read_text()) if path.exists() else {}
    record["backfill"] = results
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    rows = [
        ("Zhejiang 2019 (364 files, 76 stations), SQLite", "zhejiang_year_sqlite", "< 60 s"),
        ("Zhejiang 2019, PostgreSQL", "zhejiang_year_postgresql", "< 60 s"),
        ("national 2019 (364 files, ~1,600 stations; hourly kept for Zhejiang), SQLite", "national_year_sqlite", "< 3 min"),
    ]  # fmt: skip
    lines = [
        "# Backfill figures (issue 24)",
        "",
        f"Measured {results['date']} by `bench/backfill.py`: the whole `python -m pipeline backfill` command of a "
        "year, one run each, after `init-db` (peak RSS < 4 GB is the target throughout).",
        "",
        "| what | wall time | peak memory (all processes, PSS) | target |",
        "|---|---|---|---|",
    ]
    for label, key, target in rows:
        found = results.get(key)
        shown = f"{found['s']} s | {found['peak_rss_mb']:.0f} MB" if found else "not measured | "
        lines.append(f"| {label} | {shown} | {target} |")
    (BENCH / "backfill.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    measured = measure()
    write(measured)
    print(json.dumps(measured, indent=2, ensure_ascii=False))
