"""Shared fixtures: paths, the team's ../shared data (skipped when absent), a fresh warehouse."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.windows import month_window

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
SAMPLE_AIR = REPO / "data" / "sample" / "air"
SHARED = REPO.parent / "shared"
SHARED_CNEMC = SHARED / "data" / "cnemc_china_sites_2019"


def golden(name: str) -> pd.DataFrame:
    """A golden file of tests/data (``#`` lines are its provenance header)."""
    return pd.read_csv(DATA / name, comment="#")


@pytest.fixture
def shared_cnemc() -> Path:
    if not SHARED_CNEMC.is_dir():
        pytest.skip("../shared/data/cnemc_china_sites_2019 is not beside this checkout")
    return SHARED_CNEMC


@pytest.fixture
def warehouse(tmp_path):
    """A fresh embedded warehouse with the national station registry loaded."""
    from pipeline.store.engine import make_engine
    from pipeline.store.schema import init_db

    engine = make_engine(f"sqlite:///{tmp_path / 'warehouse.db'}")
    init_db(engine)
    yield engine
    engine.dispose()


def empty_pg_database(prefix: str = "qz811") -> tuple[str, object]:
    """Create an empty database on the test server that `make test` starts; returns (url, drop). Skips
    without a server, except in CI, where it is required."""
    import os
    import uuid

    import sqlalchemy as sa

    url = os.environ.get("QZ811_TEST_PG_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("QZ811_TEST_PG_URL is not set: CI must run the PostgreSQL tests (make test starts the server)")
        pytest.skip("no PostgreSQL test server (QZ811_TEST_PG_URL); `make test` starts one")
    server = sa.make_url(url)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop():
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


def pg_database():
    """A fresh PostgreSQL warehouse (registries loaded) on the test server; returns (engine, drop)."""
    from pipeline.store.engine import make_engine
    from pipeline.store.schema import init_db

    url, drop_database = empty_pg_database()
    engine = make_engine(url)
    init_db(engine)

    def drop():
        engine.dispose()
        drop_database()

    return engine, drop


@pytest.fixture
def pg_warehouse():
    engine, drop = pg_database()
    yield engine
    drop()


def run_whole_sample(engine, staging: Path, air_days=("2019-07-01", "2019-07-02"),
                     source_days=("2019-07-12", "2019-07-20")) -> None:  # fmt: skip
    """Every job on the bundled samples: air days, a water month, source days, annual statistics,
    the scoreboard. Used to compare databases, to run the analysts' example queries and the report."""
    import datetime as dt

    from pipeline.jobs import annual, sources, water
    from pipeline.jobs.air import run_day
    from pipeline.plan import scoreboard

    sample = REPO / "data" / "sample"
    for day in map(dt.date.fromisoformat, air_days):
        run_day(engine, SAMPLE_AIR, day, staging)
    water.run_period(engine, sample / "water", "manual", month_window(2019, 7), staging)
    for day in map(dt.date.fromisoformat, source_days):
        sources.run_day(engine, sample / "sources", day, staging)
    annual.ingest(engine, "statistics", [sample / "plan" / "statistics_2014-2019.csv"])
    annual.ingest(engine, "precipitation", [sample / "plan" / "precipitation_2018-2019.csv"])
    scoreboard.compute(engine, 2019)


@pytest.fixture(scope="session")
def sample_sqlite(tmp_path_factory):
    """The whole sample run once into an SQLite warehouse (shared: tests must not write to it)."""
    from pipeline.store.engine import make_engine
    from pipeline.store.schema import init_db

    folder = tmp_path_factory.mktemp("sample_sqlite")
    engine = make_engine(f"sqlite:///{folder / 'warehouse.db'}")
    init_db(engine)
    run_whole_sample(engine, folder / "staging")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sample_pg(tmp_path_factory):
    """The whole sample run once into a PostgreSQL warehouse (shared: tests must not write to it)."""
    engine, drop = pg_database()
    run_whole_sample(engine, tmp_path_factory.mktemp("sample_pg"))
    yield engine
    drop()


@pytest.fixture
def year_2019(warehouse, tmp_path):
    """The sample water month loaded: the Qiantang main stream misses its 90 % target in 2019."""
    from pipeline.jobs import water
    from pipeline.plan import scoreboard

    water.run_period(warehouse, REPO / "data" / "sample" / "water", "manual", month_window(2019, 7), tmp_path / "s")
    scoreboard.compute(warehouse, 2019)
    return warehouse


SAMPLE_DATA = REPO / "data" / "sample"

YEAR_LANDING = SAMPLE_DATA / "air_2019"
"""Zhejiang's 76 national air stations, every hour of 2019 (gzip): the demo's air year."""

AFTER_AIR = [
    ["water", "--date", "2019-07-01", "--date", "2019-07-02", "--quiet"],
    ["water", "--month", "2019-07"],
    ["ingest", "sources", *(str(SAMPLE_DATA / "sources" / n) for n in (
        "hj212_platform_2019-07.log", "wastewater_export_2019-07.csv", "kahsolt_QZS04_2021-01.csv"))],
    ["sources", "--year", "2019"],
    ["ingest", "statistics", str(SAMPLE_DATA / "plan" / "statistics_2014-2019.csv")],
    ["ingest", "precipitation", str(SAMPLE_DATA / "plan" / "precipitation_2018-2019.csv")],
    ["ingest", "noise", str(SAMPLE_DATA / "plan" / "noise_2018-2019.csv")],
    ["scoreboard", "--year", "2019"],
    ["report", "--year", "2019"],
    ["alerts", "--year", "2019"],
]  # fmt: skip

DEMO = [
    ["init-db"],
    ["backfill", "--from", "2019-01-01", "--to", "2019-12-31", "--landing", str(YEAR_LANDING), "--known-gap", "2019-04-08"],
    ["summary", "--year", "2019", "--city", "衢州"],
    ["ranking", "--year", "2019"],
    *AFTER_AIR,
]  # fmt: skip
"""The steps of `make demo` (Makefile), in its order: the real 2019 of Zhejiang's stations, then the samples."""

FOUR_DAYS = [
    ["init-db"],
    ["run", "--quiet", "--date", "2019-02-10", "--date", "2019-02-11", "--date", "2019-07-01", "--date", "2019-07-02"],
    ["summary", "--year", "2019", "--city", "衢州"],
    *AFTER_AIR,
]  # fmt: skip
"""The demo before issue 24 (four real days of Quzhou's three stations, then the samples): what release 72f1611
built, kept to show that later releases compute the same from the same data (tests/test_release_outputs.py)."""


def demo_settings(folder: Path) -> dict[str, str]:
    """The environment of a demo run into ``folder`` (a fresh SQLite warehouse, outbox, reports)."""
    return {
        "QZ811_DB_URL": f"sqlite:///{folder / 'warehouse.db'}",
        "QZ811_STAGING_DIR": str(folder / "staging"),
        "QZ811_OUTBOX_DIR": str(folder / "outbox"),
        "QZ811_REPORT_DIR": str(folder / "reports"),
        "QZ811_DATA_DOCS_DIR": str(folder / "reports" / "data_docs"),
    }


def run_demo(steps: list[list[str]] | None = None) -> dict[str, str]:
    """:data:`DEMO`'s steps (or ``steps``) in this process, with the environment as it is: what each printed."""
    import contextlib
    import io

    from pipeline.cli import main

    printed = {}
    for argv in DEMO if steps is None else steps:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(argv) == 0, argv
        printed[" ".join(argv[:2])] = out.getvalue()
    return printed


def demo_in(folder: Path, steps: list[list[str]] | None = None) -> tuple[Path, dict[str, str]]:
    """:func:`run_demo` into ``folder`` with :func:`demo_settings` (no SMTP server): (folder, what each printed)."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in demo_settings(folder).items():
            patch.setenv(key, value)
        patch.delenv("QZ811_SMTP_HOST", raising=False)
        return folder, run_demo(steps)


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """`make demo`'s steps (:data:`DEMO`) run in this process into a fresh folder: (folder, what each printed)."""
    return demo_in(tmp_path_factory.mktemp("demo"))
