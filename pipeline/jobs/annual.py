"""Inputs beyond sensors: departments' annual statistics, precipitation samples (acid rain) and
regional noise grid points. Each is a CSV (or .xlsx) validated by its own GX suite, loaded by key
(upsert), and turned into the yearly indicators the scoreboard reads.

Layouts: statistics ``indicator_id,year,scope,value,unit`` (indicator ids are plan target ids, and
``<id>.cap`` for a cap a department supplies); precipitation ``station,date,ph,rainfall_mm``; noise
``year,city,point_code,zone,leq_dba`` (daytime Leq of each grid point; zone per GB 3096-2008).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from pipeline.indicators.acid_rain import ACID_RAIN_PH, acid_rain_frequency, acid_samples, weighted_mean_ph
from pipeline.indicators.coverage import Coverage, coverage
from pipeline.indicators.noise import QUIET_CITY_DBA, city_means, share_below, zone_compliant
from pipeline.indicators.units import base_unit, canonical, conversion_factor, why_not
from pipeline.ingest import READER_PROBLEM, IngestError, read_text
from pipeline.ingest.workbook import ROW_COLUMN, SHEET_COLUMN, formula_problems, read_workbook
from pipeline.plan.indicators import INDICATORS, indicator_row
from pipeline.store.engine import read_frame, sql
from pipeline.store.load import Batch, ReadingTable, db_rows, load_batches, replace_indicators
from pipeline.validate import publish_data_docs, run_suite

CITY = "衢州"
LAYOUTS = {
    "statistics": ["indicator_id", "year", "scope", "value", "unit"],
    "precipitation": ["station", "date", "ph", "rainfall_mm"],
    "noise": ["year", "city", "point_code", "zone", "leq_dba"],
}


def _rows(kind):
    def rows(batch_id: str, valid: pd.DataFrame) -> list[dict]:
        frame = valid.drop(columns=["source_file", "source_row", "record_key", "raw_record"]).assign(batch_id=batch_id)
        if "sampled_on" in frame:
            frame["sampled_on"] = frame["sampled_on"].dt.strftime("%Y-%m-%d")
        return db_rows(frame)

    return rows


TABLES = {
    "statistics": ReadingTable("dml/annual_statistic/insert_annual_statistic", "", "dml/annual_statistic/delete_annual_statistic_key",
                               ("indicator_id", "year", "scope"), _rows("statistics")),
    "precipitation": ReadingTable("dml/precipitation_sample/insert_precipitation", "", "dml/precipitation_sample/delete_precipitation_key",
                                  ("station", "sampled_on"), _rows("precipitation")),
    "noise": ReadingTable("dml/noise_point/insert_noise_point", "", "dml/noise_point/delete_noise_key", ("year", "city", "point_code"), _rows("noise")),
}  # fmt: skip
SUITES = {"statistics": "annual_statistics", "precipitation": "precipitation_samples", "noise": "noise_points"}


FIRST_YEAR, LAST_YEAR = 1949, 2100
"""A year outside these (or not a whole number) is a typing error, not data."""


def read(path: Path | str, kind: str) -> pd.DataFrame:
    """Records of one file, typed; unparseable numbers and dates become empty (and are quarantined), and a
    year that is not a whole number in range or a value that is not finite is quarantined with that reason
    (column ``problem``). Every sheet of a workbook is read (:func:`pipeline.ingest.workbook.read_workbook`)."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table = read_workbook(path)
    else:
        table = pd.read_csv(io.StringIO(read_text(path)), dtype=str, keep_default_na=False)
    table.columns = [str(c).strip().lower() for c in table.columns]
    missing = [c for c in LAYOUTS[kind] if c not in table.columns]
    if missing:
        raise IngestError(path, f"missing column(s) {', '.join(missing)}; expected {','.join(LAYOUTS[kind])}")
    if table.empty:
        raise IngestError(path, "header only, no data rows")
    rows = table[ROW_COLUMN].astype(int).to_numpy() if ROW_COLUMN in table else range(2, len(table) + 2)
    raw = table[LAYOUTS[kind]].astype(str).agg(",".join, axis=1)
    if SHEET_COLUMN in table and table[SHEET_COLUMN].nunique() > 1:
        raw = "sheet " + table[SHEET_COLUMN].map(repr) + ": " + raw
    out = pd.DataFrame({"source_file": str(path), "source_row": rows, "record_key": "", "raw_record": raw})
    problem = formula_problems(table, LAYOUTS[kind])

    def number(column: str) -> pd.Series:
        values = pd.to_numeric(table[column].str.strip(), errors="coerce")
        infinite = values.isin([np.inf, -np.inf])
        problem[infinite & (problem == "")] = (
            f"{column} " + table.loc[infinite, column].map(repr) + " is not a finite number"
        )
        return values.where(~infinite)

    def year(column: str) -> pd.Series:
        values = number(column)
        bad = values.notna() & ((values % 1 != 0) | (values < FIRST_YEAR) | (values > LAST_YEAR))
        problem[bad & (problem == "")] = (
            f"{column} " + table.loc[bad, column].map(repr) + f" is not a whole year from {FIRST_YEAR} to {LAST_YEAR}"
        )
        return values.where(~bad).astype("Int64")

    if kind == "statistics":
        out["indicator_id"] = table["indicator_id"].str.strip().replace("", None)
        out["year"] = year("year")
        out["scope"] = table["scope"].str.strip().replace("", CITY)
        out["value"] = number("value")
        out["unit"] = table["unit"].str.strip().replace("", None)
    elif kind == "precipitation":
        out["station"] = table["station"].str.strip().replace("", None)
        out["sampled_on"] = pd.to_datetime(table["date"].str.strip(), errors="coerce")
        out["ph"] = number("ph")
        out["rainfall_mm"] = number("rainfall_mm")
    else:
        out["year"] = year("year")
        out["city"] = table["city"].str.strip().replace("", None)
        out["point_code"] = table["point_code"].str.strip()
        out["zone"] = table["zone"].str.strip().str.lower()
        out["leq_day_dba"] = number("leq_dba")
    if (problem != "").any():
        out[READER_PROBLEM] = problem.to_numpy()
    return out


RELATIVE_KINDS = ("relative_change", "vs_previous_year")
"""Targets whose statistic is a quantity (t, m3 ...) compared with itself in another year: its unit is not the
target's (a % change), so it is only brought to its family's first unit (kg -> t) to be comparable across years."""


def target_units(engine: Engine) -> dict[str, str | None]:
    """The unit each statistic must be given in (converted to): a plan target's own unit, and its cap's
    (``<id>.cap``, compared with the value: the same unit); None for a quantity compared with itself in another
    year (:data:`RELATIVE_KINDS`)."""
    with engine.connect() as conn:
        targets = [(r.id, r.unit, r.kind) for r in conn.execute(sql("dml/plan_target/select_plan_targets"))]
    units = {i: (None if kind in RELATIVE_KINDS else unit) for i, unit, kind in targets}
    return {**units, **{f"{i}.cap": unit for i, unit, _ in targets}}


def in_target_units(records: pd.DataFrame, units: dict[str, str]) -> pd.DataFrame:
    """Statistics with each value converted to its target's unit (:mod:`pipeline.indicators.units`: 650 ‰ is
    65 %, a ratio 0.8 is 80 %; a quantity of a relative target to its family's first unit: 5 kg is 0.005 t),
    ``unit`` then that one; a unit that cannot be converted is a reader problem
    (quarantined with its words). Rows of an unknown indicator are left for the suite to refuse."""
    out = records.copy()
    problem = out[READER_PROBLEM].fillna("").astype(str) if READER_PROBLEM in out else pd.Series("", index=out.index)
    for i, (indicator, unit) in enumerate(zip(out["indicator_id"], out["unit"], strict=True)):
        if indicator not in units or problem.iat[i]:
            continue
        wanted = units[indicator] or base_unit(unit)
        if wanted is None:  # a quantity in a unit of no family: kept as given (the suite requires one)
            continue
        factor = conversion_factor(unit, wanted)
        if factor is None:
            problem.iat[i] = why_not(unit, wanted)
            continue
        if factor != 1.0 and pd.notna(out["value"].iat[i]):
            out.iat[i, out.columns.get_loc("value")] = float(out["value"].iat[i]) * factor
        out.iat[i, out.columns.get_loc("unit")] = canonical(wanted)
    if (problem != "").any():
        out[READER_PROBLEM] = problem.to_numpy()
    return out


def ingest(engine: Engine, kind: str, paths: list, docs_dir: Path | None = None) -> list[dict]:
    """Validate and load files of one kind (all read first: one unreadable file loads nothing), then
    recompute the acid-rain or noise indicators of the years they hold."""
    files = [(Path(p), read(p, kind)) for p in paths]
    params = {}
    if kind == "statistics":
        units = target_units(engine)
        files = [(path, in_target_units(records, units)) for path, records in files]
        params = {"known_indicators": list(units)}
    if kind == "precipitation":  # a sample from the future is a typing error, not data
        params = {"earliest_date": pd.Timestamp("1990-01-01"), "latest_date": pd.Timestamp.now().normalize()}
    loads, years, pages = [], set(), []
    for path, records in files:
        result = run_suite(records, SUITES[kind], params)
        pages.append(result.data_docs)
        batch = Batch(SUITES[kind], [path], None, rows_read=len(records))
        loads.append((batch, result.valid, result.quarantined, TABLES[kind]))
        if kind == "precipitation":
            years |= set(result.valid["sampled_on"].dt.year)
        elif kind == "noise":
            years |= set(int(y) for y in result.valid["year"])
    results = load_batches(engine, loads)  # all of the files or none
    for (path, _), page, row in zip(files, pages, results, strict=True):
        if docs_dir is not None and page:  # each file's GX Data Docs
            publish_data_docs(docs_dir, [page], SUITES[kind], f"file {path.name}", row)
    for year in sorted(years):
        (acid_rain_indicators if kind == "precipitation" else noise_indicators)(engine, int(year))
    return results


def _measured(indicator: str, period: str, value: float, n: int, detail: str, edition: str, cover: Coverage) -> dict:
    # a KeyError here: the indicator is missing from the catalogue
    return indicator_row(INDICATORS[indicator], CITY, period, value, cover, "=", None, n, detail, edition)


def _store(engine: Engine, family: str, year: int, rows: list[dict]) -> None:
    replace_indicators(engine, family, year, rows)


def acid_rain_indicators(engine: Engine, year: int) -> None:
    """Acid-rain frequency [%] and rainfall-weighted mean pH of the year, all stations together."""
    with engine.connect() as conn:
        samples = read_frame(
            conn,
            "dml/precipitation_sample/select_precipitation",
            {"first_date": f"{year}-01-01", "last_date": f"{year}-12-31"},
        )
    n = len(samples)
    acid = acid_samples(samples["ph"]) if n else 0
    cover = coverage(str(year), samples["sampled_on"].astype(str).str[:10] if n else [], rule="months")
    _store(engine, "acid_rain", year, [
        _measured("acid_rain.frequency", str(year), acid_rain_frequency(samples["ph"]) if n else float("nan"), n,
                  f"{acid} of {n} samples below pH {ACID_RAIN_PH}", "HJ/T 165-2004", cover),
        _measured("acid_rain.mean_ph", str(year), weighted_mean_ph(samples["ph"], samples["rainfall_mm"]) if n else float("nan"),
                  n, "rainfall-weighted [H+]", "HJ/T 165-2004", cover),
    ])  # fmt: skip


def noise_indicators(engine: Engine, year: int) -> None:
    """The central city's regional noise mean and the share of county-and-above cities below 55 dB(A)."""
    with engine.connect() as conn:
        points = read_frame(conn, "dml/noise_point/select_noise_points", {"year": year})
    means = city_means(points.rename(columns={"leq_day_dba": "leq_dba"}))
    ok = zone_compliant(points["leq_day_dba"], points["zone"]) if len(points) else pd.Series(dtype=bool)
    central = means.loc[means["city"] == CITY, "mean_dba"]
    survey = coverage(str(year), points["point_code"] if len(points) else [], rule="survey")  # one survey a year
    _store(engine, "noise", year, [
        _measured("noise.city_mean", str(year), central.iloc[0] if len(central) else float("nan"),
                  int(means.loc[means["city"] == CITY, "n_points"].sum()), "mean of grid-point daytime Leq", "GB 3096-2008", survey),
        _measured("noise.county_share_below_55", str(year), share_below(means["mean_dba"]), len(means),
                  f"{int((means['mean_dba'] < QUIET_CITY_DBA).sum())} of {len(means)} cities below {QUIET_CITY_DBA:g} dB(A)",
                  "GB 3096-2008", survey),
        _measured("noise.zone_compliance", str(year), 100.0 * ok.mean() if len(points) else float("nan"), len(points),
                  f"{int(ok.sum())} of {len(points)} grid points within their zone's daytime limit (GB 3096-2008 Table 1)",
                  "GB 3096-2008", survey),
    ])  # fmt: skip
