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
