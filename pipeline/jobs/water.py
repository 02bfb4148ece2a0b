"""Surface-water jobs, stage by stage: ingest -> validate -> load -> classes -> indicators.

Two schedules share these stages (``dags/water_quality.py``): automatic stations daily (a day's
window, kind ``auto``, daily section classes from the day's means) and manual lab samples monthly
(a month's window, kind ``manual``: each sample's class, section classes of the month and of the
year so far, then the plan's water indicators). Files of a period in the landing folder: every
``*.csv``/``*.xlsx`` whose name holds the month (``YYYY-MM`` or ``YYYYMM``). Automatic-station files
usually hold a whole month: a day's run takes its day and counts the rest as ``rows_other_days``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from pipeline import fanout
from pipeline.indicators.water_class import (
    ASSESSED_ITEMS,
    at_half_detection_limit,
    classify,
    river_statuses,
    table2_compliant,
)
from pipeline.ingest import IngestError, landed
from pipeline.ingest.water import read
from pipeline.plan.indicators import water_indicator_rows
from pipeline.store.engine import read_frame, replacing, sql
from pipeline.store.load import Batch, db_rows, discard_staging, load_batch, load_batches, replace_indicators
from pipeline.store.reads import RegistryEmpty, water_sections
from pipeline.store.tables import water_samples
from pipeline.validate import publish_data_docs, run_suite, stage_data_docs, staged_data_docs
from pipeline.windows import Window, day_window, month_window, stamp

log = logging.getLogger(__name__)
SUITE = "water_samples"
AUTO_ITEMS = ("ph", "do", "codmn", "nh3n", "tp")
"""Items of automatic stations that enter their daily class (TN is not assessed for rivers)."""


def landing_files(landing_dir: Path, window: Window) -> list[Path]:
    month = window.first
    tokens = (month.strftime("%Y-%m"), month.strftime("%Y%m"))
    return [
        f for f in landed(landing_dir) if f.suffix.lower() in (".csv", ".xlsx") and any(t in f.name for t in tokens)
    ]


def _staging(staging_dir: Path, kind: str, window: Window) -> Path:
    path = Path(staging_dir) / f"water_{kind}" / window.label
    path.mkdir(parents=True, exist_ok=True)
    return path


def ingest(landing_dir: Path, kind: str, window: Window, staging_dir: Path) -> dict:
    """Read the period's files; keep records of ``kind`` (auto records outside the day are left to
    their own day's run and counted). Raises IngestError on a bad file, FileNotFoundError on none."""
    files = landing_files(landing_dir, window)
    frames, other, used = [], 0, []
    for path in files:
        records = read(path)
        if records.empty or (records["kind"] != kind).all():
            continue  # a file of the other kind of readings
        if (records["kind"] != kind).any():
            raise IngestError(path, "mixes manual and automatic readings")
        if kind == "auto":
            elsewhere = records["sampled_at"].notna() & ~window.contains(records["sampled_at"])
            other += int(elsewhere.sum())
            records = records[~elsewhere]
        frames.append(records)
        used.append(path)
    if not used:
        raise FileNotFoundError(f"no {kind} water files for {window.label} in {landing_dir}")
    records = pd.concat(frames, ignore_index=True)
    target = _staging(staging_dir, kind, window)
    records.to_pickle(target / "records.pkl")
    batch = Batch(f"water_{kind}", used, window, rows_other_days=other)
    return {
        "kind": kind,
        "window": [stamp(window.first), stamp(window.last), window.label],
        "files": [str(f) for f in used],
        "sha256": batch.sha256,
        "rows_read": len(records),
        "rows_other_days": other,
        "started_at": batch.started_at.isoformat(),
        "staging": str(target),
    }


def window_of(staged: dict) -> Window:
    first, last, label = staged["window"]
    return Window(pd.Timestamp(first), pd.Timestamp(last), label)


def validate(engine: Engine, staged: dict) -> dict:
    """Run the ``water_samples`` GX suite; stage valid and quarantined rows."""
    registry = water_sections(engine)
    if registry.empty:
        raise RegistryEmpty("water-section")
    window = window_of(staged)
    target = Path(staged["staging"])
    part = fanout.part(staged)  # one section group of a fanned-out run, or ""
    records = pd.read_pickle(target / f"records{part}.pkl")
    params = {"known_sections": registry["section_code"].tolist(), "first_time": window.first, "last_time": window.last}
    result = run_suite(records, SUITE, params)
    result.valid.to_pickle(target / f"valid{part}.pkl")
    result.quarantined.to_pickle(target / f"quarantined{part}.pkl")
    stage_data_docs(target, part, result)
    return {**staged, "rows_valid": len(result.valid), "rows_quarantined": len(result.quarantined)}


def section_groups(staged: dict, groups: int) -> list[dict]:
    """Split the staged readings into ``groups`` section groups for validation fanned out over workers
    (:func:`pipeline.fanout.split`); join them back with :func:`pipeline.fanout.join`."""
    return fanout.split(staged, groups, "section_code")


def load(engine: Engine, validated: dict, keep_staging: bool = False, docs_dir: Path | None = None) -> dict:
    """Replace the period's readings of this kind in one transaction."""
    target = Path(validated["staging"])
    batch = Batch.from_staged(f"water_{validated['kind']}", validated, window_of(validated))
    valid, quarantined = pd.read_pickle(target / "valid.pkl"), pd.read_pickle(target / "quarantined.pkl")
    accounting = load_batch(engine, batch, valid, quarantined, water_samples(validated["kind"]))
    if docs_dir is not None:  # the batch's GX Data Docs, kept with the other batches'
        publish_data_docs(
            docs_dir, staged_data_docs(target), f"water_{validated['kind']}", window_of(validated).label, accounting
        )
    if not keep_staging:  # loaded: the staged pickles have done their job (a failed load keeps them for the retry)
        discard_staging(target)
    return {**validated, "batch_id": accounting["batch_id"], "rows_loaded": accounting["rows_loaded"]}


def _samples(engine: Engine, kind: str, first: pd.Timestamp, last: pd.Timestamp) -> pd.DataFrame:
    """Readings of ``kind`` in [first, last], wide: one row per section and time, non-detects at half
    the detection limit (:func:`pipeline.indicators.water_class.at_half_detection_limit`)."""
    params = {"kind": kind, "first_time": stamp(first), "last_time": stamp(last)}
    with engine.connect() as conn:
        long = read_frame(conn, "dml/water_sample/select_water_samples", params)
    if long.empty:
        return pd.DataFrame(columns=["section_code", "sampled_at"])
    long["value"] = at_half_detection_limit(long["value"], long["below_detection"].astype(bool))
    long["sampled_at"] = pd.to_datetime(long["sampled_at"])
    return long.pivot(index=["section_code", "sampled_at"], columns="item", values="value").reset_index()


def _with_registry(frame: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    return frame.merge(
        registry[["section_code", "waterbody", "target_class", "drinking_source_level"]], on="section_code"
    )


def _section_means(samples: pd.DataFrame, registry: pd.DataFrame, items) -> pd.DataFrame:
    """Period means per section (arithmetic mean of each item over the period) and the sample count."""
    columns = [c for c in samples.columns if c not in ("section_code", "sampled_at")]
    means = samples.groupby("section_code")[columns].mean().reset_index()
    means["n_samples"] = samples.groupby("section_code").size().to_numpy()
    return _with_registry(means, registry)


def _period_rows(means: pd.DataFrame, period: str, kind: str, items) -> list[dict]:
    classes = classify(means, items=list(items), target_class="target_class")
    table2 = table2_compliant(means)
    item_columns = [
        c
        for c in means.columns
        if c not in ("section_code", "n_samples", "waterbody", "target_class", "drinking_source_level")
    ]
    rows = []
    for i, row in means.reset_index(drop=True).iterrows():
        c = classes.iloc[i]
        rows.append(
            {
                "section_code": row["section_code"],
                "period": period,
                "kind": kind,
                "n_samples": int(row["n_samples"]),
                "water_class": None if pd.isna(c["water_class"]) else int(c["water_class"]),
                "water_class_name": c["water_class_name"],
                "limiting_items": c["limiting_items"],
                "meets_target": None if pd.isna(c["meets_target"]) else bool(c["meets_target"]),
                "table2_ok": bool(table2.iloc[i]),
                "exceedances": c["exceedances"],
                "means": ";".join(f"{k}={row[k]:.4g}" for k in item_columns if not pd.isna(row[k])),
            }
        )
    return rows


def classes(engine: Engine, kind: str, window: Window) -> dict:
    """Classes of the period: automatic stations -> each section's day; manual samples -> each sample,
    each section's month and each section's year so far (GB 3838-2002 single-factor, period means)."""
    registry = water_sections(engine)
    samples = _samples(engine, kind, window.first, window.last)
    out = {"kind": kind, "period": window.label, "samples": len(samples)}
    with replacing(engine, f"water_classes|{kind}|{window.label}") as conn:
        if kind == "auto":
            rows = (
                _period_rows(_section_means(samples, registry, AUTO_ITEMS), window.label, "auto", AUTO_ITEMS)
                if len(samples)
                else []
            )
            conn.execute(
                sql("dml/water_section_period/delete_water_section_period"), {"period": window.label, "kind": "auto"}
            )
            if rows:
                conn.execute(sql("dml/water_section_period/insert_water_section_period"), rows)
            return {**out, "section_days": len(rows)}
        window_params = {"first_time": stamp(window.first), "last_time": stamp(window.last)}
        conn.execute(sql("dml/water_sample_class/delete_water_sample_class"), window_params)
        if len(samples):
            each = _with_registry(samples, registry)
            sample_classes = classify(each, target_class="target_class")
            sample_rows = each[["section_code", "sampled_at"]].assign(
                sampled_at=each["sampled_at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
                water_class=sample_classes["water_class"],
                water_class_name=sample_classes["water_class_name"],
                limiting_items=sample_classes["limiting_items"],
                meets_target=sample_classes["meets_target"].astype(object),
                table2_ok=table2_compliant(each),
                exceedances=sample_classes["exceedances"],
            )
            conn.execute(sql("dml/water_sample_class/insert_water_sample_class"), db_rows(sample_rows))
    year = window.first.year
    year_samples = _samples(engine, "manual", pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31, 23, 59, 59))
    counts = {}
    with replacing(engine, f"water_periods|manual|{year}") as conn:
        for period, chosen in ((window.label, samples), (str(year), year_samples)):
            means = _section_means(chosen, registry, ASSESSED_ITEMS) if len(chosen) else None
            rows = _period_rows(means, period, "manual", ASSESSED_ITEMS) if means is not None else []
            conn.execute(
                sql("dml/water_section_period/delete_water_section_period"), {"period": period, "kind": "manual"}
            )
            conn.execute(sql("dml/water_river_status/delete_water_river_status"), {"period": period})
            if rows:
                conn.execute(sql("dml/water_section_period/insert_water_section_period"), rows)
                conn.execute(
                    sql("dml/water_river_status/insert_water_river_status"), river_statuses(means, registry, period)
                )
            counts[period] = len(rows)
    return {**out, "section_months": counts[window.label], "section_years": counts[str(year)]}


def indicators(engine: Engine, year: int) -> dict:
    """The plan's water indicators of ``year`` and its months, and each river's status."""
    registry = water_sections(engine)
    params = {"year": str(year), "months": f"{year}-%"}
    with engine.connect() as conn:
        periods = read_frame(conn, "dml/water_section_period/select_water_section_periods", params)
        samples = read_frame(
            conn,
            "dml/water_sample_class/select_water_sample_classes",
            {"first_time": f"{year}-01-01 00:00:00", "last_time": f"{year}-12-31 23:59:59"},
        )
    rows = water_indicator_rows(periods, samples, registry, year)
    return {"year": year, "indicators": replace_indicators(engine, "water", year, rows)}


def run_period(
    engine: Engine, landing_dir: Path, kind: str, window: Window, staging_dir: Path, docs_dir: Path | None = None
) -> dict:
    """The whole water job for one period, as ``python -m pipeline water`` does it."""
    staged = ingest(landing_dir, kind, window, staging_dir)
    loaded = load(engine, validate(engine, staged), docs_dir=docs_dir)
    found = classes(engine, kind, window)
    result = {**loaded, **found}
    if kind == "manual":
        result |= indicators(engine, window.first.year)
    return result


def load_files(engine: Engine, paths: list, docs_dir: Path | None = None) -> dict:
    """Load water files outside the schedule (``python -m pipeline ingest water``): every file read first,
    all loaded in one transaction or none (readings upserted), then the classes of the days (automatic
    stations) and months (lab samples) they touch, and the indicators of the samples' years.

    Returns the batches' accounting rows and a line saying what was recomputed (or None)."""
    registry = water_sections(engine)
    if registry.empty:
        raise RegistryEmpty("water-section")
    params = {
        "known_sections": registry["section_code"].tolist(),
        "first_time": pd.Timestamp("2000-01-01"),
        "last_time": pd.Timestamp.now().ceil("h"),
    }
    touched: set[tuple[str, pd.Timestamp]] = set()
    files = [(path, read(path)) for path in paths]  # every file readable, or nothing is loaded
    loads, pages = [], []
    for path, records in files:
        kind = str(records["kind"].iloc[0]) if len(records) else "manual"
        result = run_suite(records, SUITE, params)
        pages.append(result.data_docs)
        loads.append(
            (Batch(f"water_{kind}", [Path(path)], None), result.valid, result.quarantined, water_samples(kind))
        )
        times = pd.to_datetime(result.valid["sampled_at"])
        touched |= {(kind, t.normalize() if kind == "auto" else t.replace(day=1).normalize()) for t in times}
    batches = load_batches(engine, loads)  # all or none
    for path, page, (batch, *_), row in zip(paths, pages, loads, batches, strict=True):
        if docs_dir is not None and page:  # each file's GX Data Docs
            publish_data_docs(docs_dir, [page], batch.dataset, f"file {Path(path).name}", row)
    for kind, start in sorted(touched):
        if kind == "auto":
            classes(engine, kind, day_window(start.date()))
        else:
            classes(engine, kind, month_window(start.year, start.month))
    for year in sorted({start.year for kind, start in touched if kind == "manual"}):
        indicators(engine, year)
    return {"batches": batches, "recomputed": f"classes recomputed for {len(touched)} period(s)" if touched else None}
