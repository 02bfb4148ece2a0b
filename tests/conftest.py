"""Shared fixtures: paths, the team's ../shared data (skipped when absent), a fresh warehouse."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

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
    from pipeline.db import init_db, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'warehouse.db'}")
    init_db(engine)
    yield engine
    engine.dispose()


def pg_database():
    """Create a fresh PostgreSQL warehouse (registries loaded) on the test server that `make test`
    starts; returns (engine, drop). Skips without a server, except in CI, where it is required."""
    import os
    import uuid

    import sqlalchemy as sa

    from pipeline.db import init_db, make_engine

    url = os.environ.get("QZ811_TEST_PG_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("QZ811_TEST_PG_URL is not set: CI must run the PostgreSQL tests (make test starts the server)")
        pytest.skip("no PostgreSQL test server (QZ811_TEST_PG_URL); `make test` starts one")
    server = sa.make_url(url)
    name = f"qz811_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = make_engine(server.set(database=name).render_as_string(hide_password=False))
    init_db(engine)

    def drop():
        engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()

    return engine, drop


@pytest.fixture
def pg_warehouse():
    engine, drop = pg_database()
    yield engine
    drop()
