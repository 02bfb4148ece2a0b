"""A national night, end to end, on SQLite and on PostgreSQL.

For each database, in a child process of its own (so that its peak RSS is that run's own): a fresh
warehouse (``init-db`` plus the synthetic registries), then the night's jobs exactly as the DAGs call them,
each stage timed:

- air (``pipeline.jobs.air``): ingest -> validate (GX) -> load -> daily values -> indicators;
- water automatic stations (``pipeline.jobs.water``, the day): ingest -> validate -> load -> classes;
- sources (``pipeline.jobs.sources``, the day): ingest -> validate -> load -> outlet-days -> indicators.

Run from the repo root: ``.venv/bin/python bench/night.py [--pg URL]`` (``make bench`` does it, with the
throw-away PostgreSQL server of ``scripts/pg-test-server``). Prints one JSON document; ``bench/run.py``
puts the figures into ``bench/results.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

DAY = dt.date(2019, 7, 1)


def log(message: str) -> None:
    print(f"[night {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def fresh_warehouse(kind: str, folder: Path, pg_url: str | None):
    """(engine, drop) for a new warehouse with the bundled and the synthetic registries."""
    import sqlalchemy as sa

    from bench.national_data import registry_rows
    from pipeline.store.engine import make_engine, sql
    from pipeline.store.schema import init_db

    drop = lambda: None  # noqa: E731
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{folder / 'night.db'}")
    else:
        server = sa.make_url(pg_url)
        name = f"qz811_night_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine = make_engine(server.set(database=name).render_as_string(hide_password=False))

        def drop():
            engine.dispose()
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')

    init_db(engine)
    rows = registry_rows()
    with engine.begin() as conn:
        conn.execute(sql("dml/water_section/insert_water_section"), rows["water_section"])
        conn.execute(sql("dml/source_outlet/insert_source_outlet"), rows["source_outlet"])
        conn.execute(sql("dml/source_limit/insert_source_limit"), rows["source_limit"])
    return engine, drop


def timed(stages: dict, name: str, call):
    started = time.perf_counter()
    result = call()
    stages[name] = round(time.perf_counter() - started, 3)
    log(f"{name}: {stages[name]:.2f} s")
    return result


def measure(kind: str, data: Path, pg_url: str | None) -> dict:
    """The night on one database (runs in the child process)."""
    from pipeline.jobs import air, sources, water
    from pipeline.windows import day_window

    folder = Path(tempfile.mkdtemp(prefix=f"qz811-night-{kind}-"))
    engine, drop = fresh_warehouse(kind, folder, pg_url)
    staging = folder / "staging"
    stages: dict[str, float] = {}
    try:
        started = time.perf_counter()
        staged = timed(stages, "air.ingest", lambda: air.ingest(data / "air", DAY, staging))
        validated = timed(stages, "air.validate", lambda: air.validate(engine, staged))
        loaded = timed(stages, "air.load", lambda: air.load(engine, validated))
        timed(stages, "air.daily_values", lambda: air.daily_values(engine, DAY))
        timed(stages, "air.indicators", lambda: air.indicators(engine, DAY.year))

        window = day_window(DAY)
        w_staged = timed(stages, "water.ingest", lambda: water.ingest(data / "water", "auto", window, staging))
        w_validated = timed(stages, "water.validate", lambda: water.validate(engine, w_staged))
        w_loaded = timed(stages, "water.load", lambda: water.load(engine, w_validated))
        timed(stages, "water.classes", lambda: water.classes(engine, "auto", window))

        s_window = day_window(DAY)
        s_staged = timed(stages, "sources.ingest", lambda: sources.ingest(engine, data / "sources", s_window, staging))
        s_validated = timed(stages, "sources.validate", lambda: sources.validate(engine, s_staged))
        s_loaded = timed(stages, "sources.load", lambda: sources.load(engine, s_validated))
        timed(stages, "sources.daily_values", lambda: sources.daily_values(engine, DAY))
        timed(stages, "sources.indicators", lambda: sources.indicators(engine, DAY.year))
        total = time.perf_counter() - started
    finally:
        drop()
    loaded_rows = {"air": loaded["rows_loaded"], "water": w_loaded["rows_loaded"], "sources": s_loaded["rows_loaded"]}
    read_rows = {"air": loaded["rows_read"], "water": w_loaded["rows_read"], "sources": s_loaded["rows_read"]}
    validate_s = stages["air.validate"] + stages["water.validate"] + stages["sources.validate"]
    load_s = stages["air.load"] + stages["water.load"] + stages["sources.load"]
    return {
        "database": kind,
        "night_s": round(total, 2),
        "stages_s": stages,
        "rows_read": read_rows,
        "rows_loaded": loaded_rows,
        "rows_quarantined": {
            "air": loaded["rows_quarantined"],
            "water": w_loaded["rows_quarantined"],
            "sources": s_loaded["rows_quarantined"],
        },  # fmt: skip
        "load_rows_per_s": round(sum(loaded_rows.values()) / load_s),
        "air_load_rows_per_s": round(loaded_rows["air"] / stages["air.load"]),
        "gx_rows_per_s": round(sum(read_rows.values()) / validate_s),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="SQLAlchemy URL of a PostgreSQL server (a database is created and dropped)")
    parser.add_argument("--measure", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help="folder for the generated night's files (default: a temporary one)")
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.data, args.pg)))
        return 0

    from bench.national_data import write_night

    data = args.data or Path(tempfile.mkdtemp(prefix="qz811-national-"))
    log(f"writing a synthetic national night into {data}")
    written = write_night(data, DAY)
    results = {"data": written, "runs": []}
    for kind in ("sqlite", "postgresql"):
        if kind == "postgresql" and not args.pg:
            log("no --pg URL: the PostgreSQL night is not measured")
            continue
        log(f"the night on {kind}")
        command = [sys.executable, __file__, "--measure", kind, "--data", str(data)]
        command += ["--pg", args.pg] if args.pg else []
        out = subprocess.run(command, check=True, capture_output=True, text=True)
        sys.stderr.write(out.stderr)
        results["runs"].append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
