"""Scale demo: the national air night on Airflow's Celery executor, two workers against one.

``make scale-demo`` runs it in ``.venv-scale`` (requirements.lock + requirements-scale.txt). It starts, all on
loopback and in a temporary folder: PostgreSQL (``scripts/pg-test-server``: Airflow's metadata database and
the ``qz811`` warehouse), Redis (Debian ``redis-server``, installed if missing, as root) as the Celery
broker, and Airflow's api-server, scheduler, dag-processor and two Celery workers (``worker-1``,
``worker-2``, one task slot each). It writes two synthetic national air nights (``bench/national_data.py``:
1,700 stations), triggers ``air_quality_nightly`` for the first with both workers up, then stops
``worker-2`` and triggers the second. It reports which worker ran which task (the mapped ``validate``
tasks by station group) and each run's wall time, and writes them to ``bench/scale_demo.md``.

Before the nights, with both workers up, it backfills the real Zhejiang 2019 year (``data/sample/air_2019``) three
ways into databases of the same server: ``python -m pipeline backfill`` with one and with two worker processes,
and the ``air_backfill`` DAG, whose mapped ``load`` tasks (a group of days each) Celery fans out over the workers.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

DAYS = (dt.date(2020, 7, 1), dt.date(2020, 7, 3))  # natural days; their runs' logical dates are the next 01:30
YEAR_SAMPLE = REPO / "data" / "sample" / "air_2019"  # the real Zhejiang 2019 year, backfilled through Celery too
BACKFILL = {"first": "2019-01-01", "last": "2019-12-31", "known_gaps": ["2019-04-08"]}
STATION_GROUPS = 4
RUN_TIMEOUT_S = 900


def worker_name() -> str:
    """Airflow's ``core.hostname_callable`` for the demo: the worker's name, so that each task instance
    records which of the two workers (on one machine) ran it."""
    return os.environ.get("QZ811_WORKER_NAME") or socket.getfqdn()


def log(message: str) -> None:
    print(f"[scale-demo {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(folder: Path) -> tuple[subprocess.Popen, int]:
    if not shutil.which("redis-server"):
        if os.geteuid() != 0:
            raise SystemExit("redis-server is missing (Debian package redis-server); run as root to install it")
        log("installing Redis (Debian package redis-server)...")
        subprocess.run(["apt-get", "install", "-y", "-qq", "redis-server"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})  # fmt: skip
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return process, port


def start_postgres() -> tuple[str, str]:
    out = subprocess.run(
        [str(REPO / "scripts" / "pg-test-server"), "start"], check=True, capture_output=True, text=True
    )
    env = dict(line.removeprefix("export ").split("=", 1) for line in out.stdout.split("\n") if line)
    return env["QZ811_TEST_PG_URL"], env["QZ811_TEST_PG_DIR"]


def main() -> int:
    import psycopg
    import sqlalchemy as sa

    from bench.national_data import air_file, station_codes

    folder = Path(tempfile.mkdtemp(prefix="qz811-scale-"))
    processes: dict[str, subprocess.Popen] = {}
    pg_dir = None
    try:
        pg_url, pg_dir = start_postgres()
        server = sa.make_url(pg_url)
        with psycopg.connect(server.set(drivername="postgresql").render_as_string(False), autocommit=True) as c:
            c.execute("CREATE DATABASE airflow")
            c.execute("CREATE DATABASE qz811")
        redis, redis_port = start_redis(folder)
        processes["redis"] = redis
        log(f"PostgreSQL {server.host}:{server.port}, Redis 127.0.0.1:{redis_port}, folder {folder}")

        landing = folder / "landing"
        landing.mkdir()
        import numpy as np

        rng, codes = np.random.default_rng(811), station_codes()
        for day in DAYS:
            for d in (day, day + dt.timedelta(days=1)):
                (landing / f"china_sites_{d:%Y%m%d}.csv").write_text(air_file(d, codes, rng), encoding="utf-8")
        log(f"wrote national air files for {', '.join(map(str, DAYS))} ({len(codes):,} stations)")
        for path in YEAR_SAMPLE.glob("china_sites_2019*.csv.gz"):
            shutil.copy(path, landing / path.name)
        log("copied the real Zhejiang 2019 year (data/sample/air_2019) for the backfill")

        api_port = free_port()
        metadata = server.set(database="airflow")
        env = {
            **os.environ,
            "AIRFLOW_HOME": str(folder / "airflow"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": "bench.scale_demo.worker_name",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata.render_as_string(False),
            # Airflow's async engine would default to asyncpg; psycopg 3 does async itself
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": metadata.set(
                drivername="postgresql+psycopg_async"
            ).render_as_string(False),
            "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + metadata.set(drivername="postgresql").render_as_string(False),
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": "1",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
            "AIRFLOW__API__SECRET_KEY": secrets.token_hex(32),
            "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": "5",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "QZ811_DB_URL": server.set(database="qz811").render_as_string(False),
            "QZ811_LANDING_DIR": str(landing),
            "QZ811_STAGING_DIR": str(folder / "staging"),
            "QZ811_STATION_GROUPS": str(STATION_GROUPS),
            "PYTHONPATH": str(REPO),
        }
        airflow = str(Path(sys.executable).parent / "airflow")
        for command in ([airflow, "db", "migrate"], [sys.executable, "-m", "pipeline", "init-db"]):
            done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=REPO)
            if done.returncode:
                raise SystemExit(f"{' '.join(command[-2:])} failed:\n{(done.stdout + done.stderr)[-3000:]}")
        logs = folder / "logs"
        logs.mkdir()

        def start(name: str, *args: str, extra: dict | None = None) -> None:
            out = (logs / f"{name}.log").open("w")
            processes[name] = subprocess.Popen([airflow, *args], env={**env, **(extra or {})}, stdout=out,
                                               stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip

        start("api-server", "api-server", "--port", str(api_port))
        start("scheduler", "scheduler")
        start("dag-processor", "dag-processor")
        for n in (1, 2):
            start(f"worker-{n}", "celery", "worker", "--concurrency", "1", "--celery-hostname", f"worker-{n}@%h",
                  extra={"QZ811_WORKER_NAME": f"worker-{n}"})  # fmt: skip
        log("started api-server, scheduler, dag-processor, worker-1, worker-2")
        engine = sa.create_engine(metadata)
        wait_for(lambda: dag_parsed(engine), 180, "the DAGs to be parsed")
        backfills = [single_process_backfill(env, server, n) for n in (1, 2)]
        subprocess.run([airflow, "dags", "unpause", "air_backfill"], env=env, check=True, capture_output=True)
        log("triggering air_backfill for the Zhejiang 2019 year, 2 Celery workers")
        subprocess.run([airflow, "dags", "trigger", "air_backfill", "--run-id", "zhejiang_2019", "--conf",
                        json.dumps(BACKFILL)], env=env, check=True, capture_output=True)  # fmt: skip
        celery = wait_for(lambda: finished_run(engine, run_id="zhejiang_2019", dag="air_backfill"), RUN_TIMEOUT_S,
                          "the backfill run")  # fmt: skip
        celery["tasks"] = task_rows(engine, "zhejiang_2019", dag="air_backfill")
        log(f"backfill through Celery: {celery['state']} in {celery['wall_s']:.1f} s")
        subprocess.run([airflow, "dags", "unpause", "air_quality_nightly"], env=env, check=True, capture_output=True)
        # Unpausing makes the scheduler start today's scheduled run (catchup is off), which has no files here
        # and would hold the DAG's one active run through its retries: end it, so the triggered runs go.
        wait_for(lambda: end_scheduled_runs(engine), 120, "today's scheduled run, to end it")

        results = []
        for day, workers in zip(DAYS, (2, 1), strict=True):
            if workers == 1:
                stop(processes.pop("worker-2"))
                log("stopped worker-2: the next run has one worker")
            logical = f"{day + dt.timedelta(days=1)}T01:30:00+08:00"
            log(f"triggering air_quality_nightly for natural day {day} (logical date {logical}), {workers} worker(s)")
            subprocess.run([airflow, "dags", "trigger", "air_quality_nightly", "--logical-date", logical],
                           env=env, check=True, capture_output=True)  # fmt: skip
            run = wait_for(lambda at=logical: finished_run(engine, at), RUN_TIMEOUT_S, f"the run of {day}")
            results.append({"day": day, "workers": workers, **run, "tasks": task_rows(engine, run["run_id"])})
            log(f"{day}: {run['state']} in {run['wall_s']:.1f} s")
        write_report(results, backfills, celery)
        return 0 if all(r["state"] == "success" for r in [*results, celery]) else 1
    finally:
        for process in processes.values():
            stop(process)
        if pg_dir:
            subprocess.run([str(REPO / "scripts" / "pg-test-server"), "stop", pg_dir], check=False)
        log(f"stopped everything; logs were in {folder / 'logs'}")


def single_process_backfill(env: dict, server, workers: int) -> dict:
    """The same year by ``python -m pipeline backfill --workers N`` into a database of its own on the same server:
    the single-machine figure beside the Celery one."""
    import psycopg

    name = f"qz811_single_{workers}"
    with psycopg.connect(server.set(drivername="postgresql").render_as_string(False), autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")
    local = {**env, "QZ811_DB_URL": server.set(database=name).render_as_string(False)}
    subprocess.run([sys.executable, "-m", "pipeline", "init-db"], env=local, check=True, capture_output=True, cwd=REPO)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pipeline", "backfill", "--from", BACKFILL["first"], "--to",
                           BACKFILL["last"], "--known-gap", "2019-04-08", "--workers", str(workers)],
                          env=local, capture_output=True, text=True, cwd=REPO)  # fmt: skip
    seconds = time.monotonic() - started
    log(f"backfill in one process tree, --workers {workers}: exit {done.returncode} in {seconds:.1f} s")
    return {"workers": workers, "state": "success" if done.returncode == 0 else "failed", "wall_s": seconds}


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_for(check, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(2)
    raise SystemExit(f"timed out waiting for {what}")


def dag_parsed(engine) -> bool:
    import sqlalchemy as sa

    with engine.connect() as conn:
        found = "SELECT COUNT(*) FROM dag WHERE dag_id IN ('air_quality_nightly', 'air_backfill')"
        return conn.execute(sa.text(found)).scalar() == 2


def end_scheduled_runs(engine) -> bool:
    import sqlalchemy as sa

    with engine.begin() as conn:
        runs = (
            conn.execute(
                sa.text(
                    "UPDATE dag_run SET state = 'failed', end_date = now() WHERE dag_id = 'air_quality_nightly' "
                    "AND run_type = 'scheduled' RETURNING run_id"
                )  # fmt: skip
            )
            .scalars()
            .all()
        )
        if runs:
            conn.execute(
                sa.text(
                    "UPDATE task_instance SET state = 'failed' WHERE dag_id = 'air_quality_nightly' "
                    "AND run_id = ANY(:runs) AND state NOT IN ('success', 'failed')"
                ),
                {"runs": list(runs)},  # fmt: skip
            )
    return bool(runs)


def finished_run(engine, logical: str | None = None, run_id: str | None = None, dag: str = "air_quality_nightly"):
    import sqlalchemy as sa

    where = "run_id = :run_id" if run_id else "logical_date = CAST(:logical AS timestamptz)"
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(f"SELECT run_id, state, start_date, end_date FROM dag_run WHERE dag_id = :dag AND {where}"),
            {"logical": logical, "run_id": run_id, "dag": dag},
        ).first()
    if row is None or row.state not in ("success", "failed"):
        return None
    return {"run_id": row.run_id, "state": row.state, "wall_s": (row.end_date - row.start_date).total_seconds()}


def task_rows(engine, run_id: str, dag: str = "air_quality_nightly") -> list[dict]:
    import sqlalchemy as sa

    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT task_id, map_index, hostname, state, start_date, end_date FROM task_instance "
                    "WHERE dag_id = :dag AND run_id = :run ORDER BY start_date, task_id, map_index"),
            {"run": run_id, "dag": dag},
        ).mappings().all()  # fmt: skip
    return [dict(r) for r in rows]


def write_report(results: list[dict], backfills: list[dict], celery: dict) -> None:
    lines = ["# Scale demo: the national air night on Celery workers", "",
             f"Run {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')} by `make scale-demo` (bench/scale_demo.py), "
             f"{os.cpu_count()} CPUs. 1,700 stations (40,800 station-hours, 606,000 values) a night; validation mapped "
             f"over {STATION_GROUPS} station groups; Celery workers with one task slot each.", ""]  # fmt: skip
    for r in results:
        lines += [f"## Natural day {r['day']}: {r['workers']} worker(s), {r['state']}, wall time {r['wall_s']:.1f} s", "",
                  "| task | map index | worker | state | seconds |", "|---|---|---|---|---|"]  # fmt: skip
        for t in r["tasks"]:
            seconds = (t["end_date"] - t["start_date"]).total_seconds() if t["end_date"] and t["start_date"] else 0
            lines.append(f"| {t['task_id']} | {'' if t['map_index'] < 0 else t['map_index']} | {t['hostname']} | "
                         f"{t['state']} | {seconds:.1f} |")  # fmt: skip
        lines.append("")
    workers = sorted({t["hostname"] for t in celery["tasks"] if t["task_id"] == "load"})
    lines += [f"## The Zhejiang 2019 year backfilled (air_backfill, {len(celery['tasks'])} tasks): {celery['state']}", "",
              "| how | wall time |", "|---|---|",
              *[f"| `python -m pipeline backfill --workers {b['workers']}` (one machine, {b['state']}) | "
                f"{b['wall_s']:.1f} s |" for b in backfills],
              f"| `air_backfill` on Celery, groups of days fanned out over {', '.join(workers)} | {celery['wall_s']:.1f} s |",
              "", "| task | map index | worker | state | seconds |", "|---|---|---|---|---|"]  # fmt: skip
    for t in celery["tasks"]:
        seconds = (t["end_date"] - t["start_date"]).total_seconds() if t["end_date"] and t["start_date"] else 0
        lines.append(f"| {t['task_id']} | {'' if t['map_index'] < 0 else t['map_index']} | {t['hostname']} | "
                     f"{t['state']} | {seconds:.1f} |")  # fmt: skip
    lines.append("")
    if len(results) == 2:
        lines.append(f"Two workers: {results[0]['wall_s']:.1f} s; one worker: {results[1]['wall_s']:.1f} s "
                     f"({results[1]['wall_s'] / results[0]['wall_s']:.2f}x).")  # fmt: skip
    (BENCH / "scale_demo.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
