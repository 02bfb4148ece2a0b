"""Bulk-load throughput of the warehouse loader, and GX validation throughput.

The records of a synthetic national night's air (bench/national_data.py: 1,700 stations, 606,000
values) are read and validated once (validation timed: GX throughput); then the loader
(``pipeline.store.load.load_batch``: one transaction, the window's old rows deleted, the new ones written;
COPY on PostgreSQL) writes them into a fresh warehouse, then twice more, each run replacing the last
(a re-run of the day). The figures are rows / seconds of ``load_batch`` alone (first load; best re-run),
and of the database write alone (best of three): on SQLite ``bulk_insert`` (executemany) into an empty
table; on PostgreSQL what the first load of a day does, the day's partition dropped before each round
(binary COPY into a new table, its primary key built, attached as the day's partition).

Run from the repo root: ``.venv/bin/python bench/load.py DATA_DIR [--pg URL]``; prints JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

ROUNDS = 3


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="a folder written by bench/national_data.py")
    parser.add_argument("--pg", help="SQLAlchemy URL of a PostgreSQL server")
    args = parser.parse_args(argv)

    import pandas as pd

    from bench.night import DAY, fresh_warehouse
    from pipeline.jobs import air
    from pipeline.store.engine import replacing, sql
    from pipeline.store.load import Batch, bulk_insert, load_batch
    from pipeline.store.tables import AIR_HOURLY
    from pipeline.windows import Window

    folder = Path(tempfile.mkdtemp(prefix="qz811-load-"))
    staged = air.ingest(args.data / "air", DAY, folder / "staging")
    records = pd.read_pickle(Path(staged["staging"]) / "records.pkl")
    out = {"rows": len(records), "databases": []}
    for kind in ("sqlite", "postgresql") if args.pg else ("sqlite",):
        engine, drop = fresh_warehouse(kind, folder / kind, args.pg)
        try:
            if kind == "sqlite":  # GX once (the same on both databases)
                started = time.perf_counter()
                validated = air.validate(engine, staged)
                gx_s = time.perf_counter() - started
                out["gx_validation_rows_per_s"] = round(len(records) / gx_s)
                out["gx_validation_s"] = round(gx_s, 2)
            valid = pd.read_pickle(Path(validated["staging"]) / "valid.pkl")
            quarantined = pd.read_pickle(Path(validated["staging"]) / "quarantined.pkl")
            batch = Batch.from_staged(air.DATASET, validated, Window.natural_day(DAY))
            started = time.perf_counter()
            load_batch(engine, batch, valid, quarantined, AIR_HOURLY)  # the day's first load
            first_s = time.perf_counter() - started
            rerun_s = []
            for _ in range(ROUNDS - 1):  # the same day again: its rows are replaced
                started = time.perf_counter()
                load_batch(engine, batch, valid, quarantined, AIR_HOURLY)
                rerun_s.append(time.perf_counter() - started)
            frame = AIR_HOURLY.frame(batch.batch_id, valid)
            write_s = []
            day = {"parent": "air_hourly", "day": DAY.isoformat()}
            for _ in range(ROUNDS):
                with engine.begin() as conn:  # no rows of the day, committed, as for a new day
                    if kind == "postgresql":
                        conn.exec_driver_sql(f"DROP TABLE air_hourly_d{DAY:%Y%m%d}")
                    else:
                        conn.exec_driver_sql("DELETE FROM air_hourly")
                with replacing(engine, "bench") as conn:
                    started = time.perf_counter()
                    if kind == "postgresql":
                        into = conn.execute(sql("dml/postgresql/start_day_partition"), day).scalar_one()
                        bulk_insert(conn, AIR_HOURLY, frame, into=into)
                        conn.execute(sql("dml/postgresql/attach_day_partition"), day)
                    else:
                        bulk_insert(conn, AIR_HOURLY, frame)
                    write_s.append(time.perf_counter() - started)
            out["databases"].append(
                {
                    "database": kind,
                    "load_batch_s": round(first_s, 2),
                    "load_batch_rows_per_s": round(len(valid) / first_s),
                    "rerun_load_batch_s": round(min(rerun_s), 2),
                    "rerun_load_batch_rows_per_s": round(len(valid) / min(rerun_s)),
                    "write_only_s": round(min(write_s), 2),
                    "write_only_rows_per_s": round(len(frame) / min(write_s)),
                }
            )
        finally:
            drop()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
