"""What the jobs and reports read from the warehouse's registries and day tables (one query each)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Engine

from pipeline.store.engine import sql


def known_stations(engine: Engine) -> list[str]:
    """Codes of the air stations of the registry (CNEMC station list)."""
    with engine.connect() as conn:
        return [row[0] for row in conn.execute(sql("dml/station/select_station_codes"))]


def water_sections(engine: Engine) -> pd.DataFrame:
    """The water-section registry: code, river, waterbody, target class, drinking-source level..."""
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(sql("dml/water_section/select_water_sections")).mappings().all())


def source_registry(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(outlets, limits, caps) of the pollution-source registry."""
    with engine.connect() as conn:
        return tuple(
            pd.DataFrame(conn.execute(sql(name)).mappings().all())
            for name in (
                "dml/source_outlet/select_source_outlets",
                "dml/source_limit/select_source_limits",
                "dml/source_cap/select_source_caps",
            )
        )


def year_days(engine: Engine, year: int) -> pd.DataFrame:
    params = {"first_date": f"{year}-01-01", "last_date": f"{year}-12-31"}
    with engine.connect() as conn:
        days = pd.DataFrame(
            conn.execute(sql("dml/source_outlet_day/select_source_outlet_days"), params).mappings().all()
        )
    if len(days):  # DATE comes back as text from SQLite and as a date from PostgreSQL
        days["date"] = pd.to_datetime(days["date"]).dt.strftime("%Y-%m-%d")
    return days


class RegistryEmpty(RuntimeError):
    """A registry the job needs (stations, sections, outlets) has no rows: ``init-db`` was not run."""

    def __init__(self, what: str):
        super().__init__(f"the {what} registry is empty: run `python -m pipeline init-db` first")
