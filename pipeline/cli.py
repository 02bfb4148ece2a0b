"""``python -m pipeline``: a thin command line over the library.

Each command parses its arguments, calls the library, and turns library errors into one line on
stderr and a non-zero exit (1: bad input or data; 2: a usage error, from argparse). Every command is
documented in the README (a test checks it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.config import Settings
from pipeline.ingest import shown

EXIT_DATA = 1


class CommandError(Exception):
    """A problem the user can fix; printed as one line."""


def _engine(settings: Settings):
    from pipeline.db import make_engine

    return make_engine(settings.db_url)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM): {text!r}") from None


def cmd_init_db(args, settings: Settings) -> int:
    from pipeline.db import apply_roles, init_db

    engine = _engine(settings)
    result = init_db(engine)
    if args.roles:
        apply_roles(engine)
        print("roles qz811_loader (read/write) and qz811_analyst (read only) granted")
    print(
        f"warehouse ready at {engine.url.render_as_string(hide_password=True)}: {len(result['ddl'])} schema files, "
        f"{result['stations']} air stations, {result['water_sections']} water sections"
    )
    return 0


def cmd_ingest(args, settings: Settings) -> int:
    handlers = {"air": cmd_ingest_air, "water": cmd_ingest_water, "sources": cmd_ingest_sources}
    if args.dataset in handlers:
        return handlers[args.dataset](args, settings)
    from pipeline import annual

    for n, row in enumerate(annual.ingest(_engine(settings), args.dataset, args.paths), start=1):
        print(
            f"[{n}/{len(args.paths)}] {row['source_files']}: {row['rows_read']} read, {row['rows_loaded']} loaded, "
            f"{row['rows_quarantined']} quarantined (batch {row['batch_id']})"
        )
    return 0


def cmd_targets(args, settings: Settings) -> int:
    from pipeline.scoreboard import read_registry

    registry = read_registry()
    columns = ["id", "indicator_zh", "indicator_en", "comparator", "value", "unit", "baseline_year", "deadline", "scope",
               "measured_by", "kind", "section", "source_indicator"]  # fmt: skip
    _emit(registry[columns], args.format, title=f"811 plan targets 规划目标 ({len(registry)})")
    return 0


def cmd_scoreboard(args, settings: Settings) -> int:
    from pipeline import scoreboard
    from pipeline.summary import scoreboard_text

    engine = _engine(settings)
    scoreboard.compute(engine, args.year)
    print(scoreboard_text(engine, args.year))
    return 0


def cmd_alerts(args, settings: Settings) -> int:
    from pipeline import alerts, scoreboard

    engine = _engine(settings)
    now = dt.datetime.now(dt.UTC)
    year = args.year or now.year
    if args.dry_run:
        scoreboard.compute(engine, year)
        for row in alerts.plan_alerts(engine, year, now, record=False):
            print(f"would send: {row['subject']} -> {row['recipients']}")
        return 0
    scoreboard.compute(engine, year)
    created = alerts.plan_alerts(engine, year, now)
    smtp = alerts.SmtpSettings.from_env()
    transport, sender = (smtp.client, smtp.sender) if smtp else (None, "qz811@localhost")
    counts = alerts.deliver(engine, transport, settings.outbox_dir, now, sender)
    where = f"SMTP {smtp.host}:{smtp.port}" if smtp else f"outbox {settings.outbox_dir} (no QZ811_SMTP_HOST)"
    print(f"{len(created)} new alert(s); delivered via {where}: {counts}")
    try:
        alerts.raise_on_failures(counts)
    except alerts.DeliveryError as err:
        raise CommandError(str(err)) from None
    return 0


def cmd_ingest_sources(args, settings: Settings) -> int:
    from pipeline import sources
    from pipeline.load import Batch, load_batches
    from pipeline.validate import run_suite

    engine = _engine(settings)
    outlets, _, _ = sources.registry(engine)
    if outlets.empty:
        raise CommandError("the source registry is empty: run `python -m pipeline init-db` first")
    params = {"known_outlets": outlets["outlet_code"].tolist(), "first_time": pd.Timestamp("2000-01-01"),
              "last_time": pd.Timestamp.now().ceil("h")}  # fmt: skip
    files = [(path, *sources.read_mapped(Path(path), outlets)) for path in args.paths]  # all readable first
    days: set[dt.date] = set()
    loads = []
    for path, records, rejects in files:
        result = run_suite(records, sources.DATASET, params)
        quarantined = pd.concat([result.quarantined, rejects], ignore_index=True)
        batch = Batch(sources.DATASET, [Path(path)], None, rows_read=len(records) + len(rejects))
        loads.append((batch, result.valid, quarantined, sources.SOURCE_READINGS))
        days |= set(pd.to_datetime(result.valid["period_start"]).dt.date)
    for n, (path, row) in enumerate(zip(args.paths, load_batches(engine, loads), strict=True), start=1):  # all or none
        print(
            f"[{n}/{len(files)}] {shown(path)}: {row['rows_read']} read, {row['rows_loaded']} loaded, "
            f"{row['rows_quarantined']} quarantined (batch {row['batch_id']})"
        )
    if days:
        sources.daily_values(engine, min(days), max(days))
        for year in sorted({d.year for d in days}):
            sources.indicators(engine, year)
        print(f"outlet-days recomputed from {min(days)} to {max(days)}")
    return 0


def cmd_sources(args, settings: Settings) -> int:
    from pipeline.summary import sources_summary

    print(sources_summary(_engine(settings), args.year))
    return 0


def cmd_ingest_water(args, settings: Settings) -> int:
    from pipeline import water
    from pipeline.ingest.water import read
    from pipeline.load import Batch, load_batches, water_samples
    from pipeline.validate import run_suite

    engine = _engine(settings)
    registry = water.sections(engine)
    if registry.empty:
        raise CommandError("the water-section registry is empty: run `python -m pipeline init-db` first")
    params = {
        "known_sections": registry["section_code"].tolist(),
        "first_time": pd.Timestamp("2000-01-01"),
        "last_time": pd.Timestamp.now().ceil("h"),
    }
    touched: set[tuple[str, pd.Timestamp]] = set()
    files = [(path, read(path)) for path in args.paths]  # every file readable, or nothing is loaded
    loads = []
    for path, records in files:
        kind = str(records["kind"].iloc[0]) if len(records) else "manual"
        result = run_suite(records, water.SUITE, params)
        loads.append(
            (Batch(f"water_{kind}", [Path(path)], None), result.valid, result.quarantined, water_samples(kind))
        )
        times = pd.to_datetime(result.valid["sampled_at"])
        touched |= {(kind, t.normalize() if kind == "auto" else t.replace(day=1).normalize()) for t in times}
    for n, (path, row) in enumerate(zip(args.paths, load_batches(engine, loads), strict=True), start=1):  # all or none
        print(
            f"[{n}/{len(args.paths)}] {shown(path)}: {row['rows_read']} read, {row['rows_loaded']} loaded, "
            f"{row['rows_quarantined']} quarantined (batch {row['batch_id']})"
        )
    for kind, start in sorted(touched):
        if kind == "auto":
            water.classes(engine, kind, water.day_window(start.date()))
        else:
            water.classes(engine, kind, water.month_window(start.year, start.month))
    for year in sorted({start.year for kind, start in touched if kind == "manual"}):
        water.indicators(engine, year)
    if touched:
        print(f"classes recomputed for {len(touched)} period(s)")
    return 0


def cmd_water(args, settings: Settings) -> int:
    from pipeline import water
    from pipeline.summary import water_summary

    landing = Path(args.landing) if args.landing else settings.water_landing_dir
    engine = _engine(settings)
    if args.month:
        windows = [("manual", water.month_window(m.year, m.month)) for m in args.month]
    else:
        windows = [("auto", water.day_window(d)) for d in args.date]
    for n, (kind, window) in enumerate(windows, start=1):
        result = water.run_period(engine, landing, kind, window, settings.staging_dir)
        print(
            f"[{n}/{len(windows)}] water {kind} {window.label}: {result['rows_read']} read, {result['rows_loaded']} loaded, "
            f"{result['rows_quarantined']} quarantined, {result['rows_other_days']} left to other days"
        )
    if args.month and not args.quiet:
        print(water_summary(engine, args.month[-1]))
    return 0


def cmd_water_class(args, settings: Settings) -> int:
    from pipeline.indicators.water_class import GB3838_2002_TABLE1, classify, parse_class
    from pipeline.ingest.water import parse_lab_value

    frame = _read_csv(args.input)
    items = [c for c in frame.columns if c in GB3838_2002_TABLE1.index and c != "tp_lake"]
    if not items:
        raise CommandError(
            f"{shown(args.input)}: no item column; expected canonical codes such as ph, do, codmn, nh3n, tp"
        )
    values = pd.DataFrame(index=frame.index)
    for column in items:
        parsed = frame[column].map(parse_lab_value)
        bad = parsed.map(lambda p: p[2] and np.isnan(p[0]))
        if bad.any():
            i = bad.idxmax()
            raise CommandError(
                f"{shown(args.input)}: line {i + 2}, column {column}: {frame.at[i, column]!r} is not a number"
            )
        values[column] = parsed.map(lambda p: p[0] / 2 if p[1] else p[0])
    body = frame["waterbody"].str.strip().str.lower() if "waterbody" in frame else pd.Series("river", index=frame.index)
    body = body.replace({"reservoir": "lake", "湖库": "lake", "河流": "river", "": "river"})
    if not body.isin(["river", "lake"]).all():
        i = (~body.isin(["river", "lake"])).idxmax()
        raise CommandError(
            f"{shown(args.input)}: line {i + 2}: waterbody {frame.at[i, 'waterbody']!r} is not river or lake"
        )
    values["waterbody"] = body
    target = None
    if "target_class" in frame:
        values["target"] = frame["target_class"].map(parse_class)
        bad = values["target"].isna() & (frame["target_class"].str.strip() != "") | (values["target"] > 5)
        if bad.any():
            i = bad.idxmax()
            raise CommandError(
                f"{shown(args.input)}: line {i + 2}: target_class {frame.at[i, 'target_class']!r} is not I-V"
            )
        target = "target"
    result = classify(values, target_class=target)
    out = frame.copy()
    out["water_class"] = result["water_class_name"]
    out["limiting_items"] = result["limiting_items"]
    out["meets_target"] = result["meets_target"].map(lambda v: "" if pd.isna(v) else ("true" if v else "false"))
    out["exceedances"] = result["exceedances"]
    _write(out, args.output)
    return 0


def cmd_ingest_air(args, settings: Settings) -> int:
    from pipeline.ingest.air import read_air_file
    from pipeline.load import AIR_HOURLY, Batch, load_batches
    from pipeline.nightly import DATASET, daily_values, indicators, known_stations
    from pipeline.validate import run_suite

    engine = _engine(settings)
    stations = known_stations(engine)
    if not stations:
        raise CommandError("the station registry is empty: run `python -m pipeline init-db` first")
    # Without a run's window, readings may be from any past hour up to the next one.
    bounds = {"first_hour_end": pd.Timestamp("2000-01-01 01:00"), "last_hour_end": pd.Timestamp.now().ceil("h")}
    touched: set[dt.date] = set()
    files = [(path, read_air_file(path)) for path in args.paths]  # every file readable, or nothing is loaded
    loads = []
    for path, records in files:
        result = run_suite(records, DATASET, {"known_stations": stations, **bounds})
        loads.append((Batch(DATASET, [Path(path)], None), result.valid, result.quarantined, AIR_HOURLY))
        touched |= set((pd.to_datetime(result.valid["hour_end"]) - pd.Timedelta(hours=1)).dt.date)
    for n, (path, row) in enumerate(zip(args.paths, load_batches(engine, loads), strict=True), start=1):  # all or none
        print(
            f"[{n}/{len(args.paths)}] {shown(path)}: {row['rows_read']} read, {row['rows_loaded']} loaded, "
            f"{row['rows_quarantined']} quarantined (batch {row['batch_id']})"
        )
    for day in sorted(touched):
        daily_values(engine, day)
    for year in sorted({d.year for d in touched}):
        indicators(engine, year)
    if touched:
        print(f"daily values recomputed for {len(touched)} day(s), {min(touched)} to {max(touched)}")
    return 0


def cmd_run(args, settings: Settings) -> int:
    from pipeline.nightly import run_day
    from pipeline.progress import days_between, progress_prefix
    from pipeline.summary import day_summary

    if bool(args.first) != bool(args.last):
        raise CommandError("--from and --to go together (a backfill of every day between them)")
    days = list(args.date or [])
    try:
        days += days_between(args.first, args.last) if args.first else []
    except ValueError as err:
        raise CommandError(str(err)) from None
    if not days:
        raise CommandError("no day to run: give --date YYYY-MM-DD (repeatable) or --from ... --to ...")
    landing = Path(args.landing) if args.landing else settings.landing_dir
    engine = _engine(settings)
    started = time.monotonic()
    missing = []
    for n, day in enumerate(days, start=1):
        try:
            result = run_day(engine, landing, day, settings.staging_dir)
        except FileNotFoundError as err:
            if not args.first:  # the days asked for one by one must all be there
                raise
            # A backfill goes on past a day without files, and says at the end which days those were.
            missing.append(day.isoformat())
            print(f"{progress_prefix(n, len(days), time.monotonic() - started)} {day}: skipped, {err}", flush=True)
            continue
        print(
            f"{progress_prefix(n, len(days), time.monotonic() - started)} {day}: "
            f"{result['rows_read']} read, {result['rows_loaded']} loaded, "
            f"{result['rows_quarantined']} quarantined, {result['rows_other_days']} left to other days; "
            f"{result['station_days']} station-days, {result['city_days']} city-days",
            flush=True,
        )
        for warning in result.get("warnings", []):
            print(f"  warning: {warning}")
        if not args.quiet:
            print(day_summary(engine, day, args.city))
    if missing:
        print(f"error: {len(missing)} of {len(days)} days had no files: {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


def cmd_recompute(args, settings: Settings) -> int:
    from pipeline import scoreboard
    from pipeline.db import sql
    from pipeline.nightly import recompute
    from pipeline.progress import progress_prefix

    last = args.last or dt.date.today()
    if last < args.first:
        raise CommandError(f"--to {last} is before --from {args.first}")
    engine = _engine(settings)
    started = time.monotonic()

    def show(done: int, total: int, result: dict) -> None:
        print(
            f"{progress_prefix(done, total, time.monotonic() - started)} {result['day']}: "
            f"{result['station_days']} station-days, {result['city_days']} city-days",
            flush=True,
        )

    result = recompute(engine, args.first, last, progress=show)
    if not result["days"]:
        print(f"no air days stored from {args.first} to {last}: nothing to recompute")
        return 0
    with engine.connect() as conn:
        scored = {int(row[0]) for row in conn.execute(sql("dml/select_scoreboard_years"))}
    for year in sorted(scored & set(result["years"])):
        scoreboard.compute(engine, year)
    years = ", ".join(map(str, result["years"]))
    print(f"recomputed {len(result['days'])} day(s), {result['days'][0]} to {result['days'][-1]}; "
          f"air indicators of {years}; scoreboard of {', '.join(map(str, sorted(scored & set(result['years'])))) or 'no year'}")  # fmt: skip
    return 0


def cmd_indicators(args, settings: Settings) -> int:
    from pipeline.summary import indicator_frame

    frame = indicator_frame(_engine(settings), args.year)
    _emit(frame, args.format, title=f"Indicators 指标 ({args.year or 'all years'})")
    return 0


def cmd_summary(args, settings: Settings) -> int:
    from pipeline.summary import year_summary

    print(year_summary(_engine(settings), args.year, args.city))
    return 0


def cmd_report(args, settings: Settings) -> int:
    from pipeline.config import REPO_ROOT
    from pipeline.html_report import write_report

    output = Path(args.output) if args.output else REPO_ROOT / "var" / f"report-{args.year}.html"
    print(write_report(_engine(settings), args.year, args.city, output))
    return 0


def _emit(frame: pd.DataFrame, fmt: str, title: str) -> None:
    from pipeline.report import format_table

    if fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif fmt == "json":
        print(
            json.dumps(frame.astype(object).where(frame.notna(), None).to_dict("records"), ensure_ascii=False, indent=1)
        )
    else:
        print(format_table(frame, title))


def _read_csv(path: str) -> pd.DataFrame:
    import io

    from pipeline.ingest import read_text

    try:
        text = read_text(Path(path))  # a FIFO or device is refused before it is opened; sizes bounded
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise CommandError(f"{shown(path)}: no such file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise CommandError(f"{shown(path)}: not a readable CSV ({str(err).strip().splitlines()[-1]})") from None


def _numeric(frame: pd.DataFrame, columns, path: str) -> pd.DataFrame:
    """Columns as floats; empty -> NaN; anything else non-numeric is an error naming the cell."""
    out = pd.DataFrame(index=frame.index)
    for column in columns:
        text = frame[column].str.strip()
        values = pd.to_numeric(text.where(text != ""), errors="coerce")
        bad = values.isna() & (text != "")
        if bad.any():
            i = bad.idxmax()
            raise CommandError(f"{shown(path)}: line {i + 2}, column {column}: {frame.at[i, column]!r} is not a number")
        if (values < 0).any():
            i = (values < 0).idxmax()
            raise CommandError(
                f"{shown(path)}: line {i + 2}, column {column}: negative concentration {frame.at[i, column]}"
            )
        out[column] = values
    return out


def _integers(values: pd.Series) -> pd.Series:
    return values.map(lambda v: "" if pd.isna(v) else str(int(v)))


def _row_editions(frame: pd.DataFrame, edition: str | None, path: str) -> np.ndarray:
    """The HJ 633 edition of each row of a calculator input: ``--edition`` for all rows; else by the
    row's ``date`` (a natural day) or ``time`` (hour-ending: 24:00 belongs to the day before); else
    the edition in force today. Errors name the line."""
    from pipeline.indicators.editions import AQI_EDITIONS, aqi_edition_for
    from pipeline.ingest.long_csv import parse_hour_end

    if edition is not None:
        if edition not in AQI_EDITIONS:
            raise CommandError(f"--edition {edition!r}: no such edition of HJ 633; use {' or '.join(AQI_EDITIONS)}")
        return np.full(len(frame), edition, dtype=object)
    if "date" in frame.columns:
        days = pd.to_datetime(frame["date"].str.strip(), format="%Y-%m-%d", errors="coerce")
        what = "date", "YYYY-MM-DD"
    elif "time" in frame.columns:
        days = frame["time"].str.strip().map(parse_hour_end) - pd.Timedelta(hours=1)
        what = "time", "YYYY-MM-DD HH:MM (hour-ending)"
    else:
        return np.full(len(frame), aqi_edition_for(dt.date.today()), dtype=object)
    if days.isna().any():
        i = days.isna().idxmax()
        raise CommandError(f"{shown(path)}: line {i + 2}, column {what[0]}: {frame.at[i, what[0]]!r} is not {what[1]}")
    return aqi_edition_for(days.dt.normalize())


def cmd_aqi(args, settings: Settings) -> int:
    from pipeline.indicators.aqi import POLLUTANT_COLUMNS, aqi_frame

    frame = _read_csv(args.input)
    present = [c for c in (*POLLUTANT_COLUMNS, "so2_24h") if c in frame.columns]
    if not [c for c in present if c != "so2_24h"]:
        raise CommandError(f"{shown(args.input)}: no pollutant column; expected any of {', '.join(POLLUTANT_COLUMNS)}")
    editions = _row_editions(frame, args.edition, args.input)
    result = aqi_frame(_numeric(frame, present, args.input), mode=args.mode, edition=editions)
    out = frame.copy()
    for column in [c for c in result.columns if c.startswith("iaqi_")] + ["aqi"]:
        out[column] = _integers(result[column])
    out["level"] = result["level"].map(lambda v: str(v) if v else "")
    for column in ("category_zh", "category_en", "primary_pollutant", "aqi_status"):
        out[column] = result[column].astype(str)
    out["edition"] = editions
    _write(out, args.output)
    return 0


def cmd_daily_aqi(args, settings: Settings) -> int:
    from pipeline.indicators.daily import station_day_aqi
    from pipeline.indicators.editions import aqi_of
    from pipeline.ingest.long_csv import parse_hour_end

    frame = _read_csv(args.input)
    needed = ["station_code", "time"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise CommandError(
            f"{args.input}: missing column(s) {', '.join(missing)}; expected station_code,time,so2,no2,pm10,co,o3,pm25"
        )
    pollutants = [c for c in ("so2", "no2", "pm10", "co", "o3", "pm25") if c in frame.columns]
    hourly = _numeric(frame, pollutants, args.input)
    hourly["station_code"] = frame["station_code"].str.strip()
    hourly["hour_end"] = frame["time"].map(parse_hour_end)
    if hourly["hour_end"].isna().any():
        i = hourly["hour_end"].isna().idxmax()
        raise CommandError(f"{shown(args.input)}: line {i + 2}: time {frame.at[i, 'time']!r} is not YYYY-MM-DD HH:MM")
    try:
        days = station_day_aqi(hourly)
    except ValueError as err:
        raise CommandError(f"{shown(args.input)}: {err}") from None
    out = pd.DataFrame(
        {"station_code": days["station_code"], "date": pd.to_datetime(days["date"]).dt.strftime("%Y-%m-%d")}
    )
    for column in ("so2", "no2", "pm10", "co", "pm25", "o3_8h", "o3_1h"):
        decimals = 1 if column == "co" else 0
        out[column] = days[column].map(lambda v, d=decimals: "" if pd.isna(v) else f"{v:.{d}f}")
    out["aqi"] = _integers(days["aqi"])
    out["level"] = days["level"].map(lambda v: str(v) if v else "")
    out["primary_pollutant"] = days["primary_pollutant"].astype(str)
    out["aqi_status"] = days["aqi_status"]
    out["valid_day"] = days["valid_day"].map(lambda v: "true" if v else "false")
    out["edition"] = aqi_of(days["edition"])
    _write(out, args.output)
    return 0


def _write(frame: pd.DataFrame, output: str | None) -> None:
    if output:
        frame.to_csv(output, index=False)
        print(f"wrote {len(frame)} rows to {output}", file=sys.stderr)
    else:
        frame.to_csv(sys.stdout, index=False)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline", description="qz811: Quzhou 811 environmental indicators"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress of each stage")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init-db", help="create the warehouse schema and load the registries")
    p.add_argument(
        "--roles", action="store_true", help="PostgreSQL: also create the loader and analyst roles (sql/roles.sql)"
    )
    p.set_defaults(func=cmd_init_db)

    p = sub.add_parser("ingest", help="validate and load files into the warehouse")
    p.add_argument(
        "dataset",
        choices=["air", "water", "sources", "statistics", "precipitation", "noise"],
        help="which kind of readings",
    )
    p.add_argument(
        "paths", nargs="+",
        help="air: national wide or long CSV; water: lab or automatic-station CSV/.xlsx; sources: HJ 212 log or CSV export",
    )  # fmt: skip
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("run", help="the nightly job for one or more days")
    p.add_argument("--date", type=_day, action="append", help="natural day YYYY-MM-DD (repeatable)")
    p.add_argument("--from", dest="first", type=_day, help="backfill: first day (with --to)")
    p.add_argument("--to", dest="last", type=_day, help="backfill: last day, included")
    p.add_argument("--landing", help="folder with the day's files (default: QZ811_LANDING_DIR or the bundled sample)")
    p.add_argument("--city", default="衢州", help="city whose summary is printed (default 衢州)")
    p.add_argument("--quiet", action="store_true", help="print only one line per day")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "recompute", help="recompute stored air days (and their indicators) with the standards in force on each day"
    )
    p.add_argument("--from", dest="first", type=_day, required=True, help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="last", type=_day, help="last day (default: today)")
    p.set_defaults(func=cmd_recompute)

    p = sub.add_parser("indicators", help="list the stored indicators and their status")
    p.add_argument("--year", type=int)
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.set_defaults(func=cmd_indicators)

    p = sub.add_parser("summary", help="a year's daily city AQI and good-air-day ratio against the plan")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--city", default="衢州")
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("report", help="a year's self-contained HTML report for analysts (charts inline)")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--city", default="衢州", help="city of the air sections (default 衢州)")
    p.add_argument("-o", "--output", help="HTML file to write (default var/report-<year>.html)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("water", help="the water job: a month of manual samples, or a day of automatic stations")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--month", type=_month, action="append", help="YYYY-MM: manual samples, classes, indicators (repeatable)"
    )
    which.add_argument("--date", type=_day, action="append", help="YYYY-MM-DD: automatic-station day (repeatable)")
    p.add_argument(
        "--landing", help="folder with the period's files (default: QZ811_WATER_LANDING_DIR or the bundled sample)"
    )
    p.add_argument("--quiet", action="store_true", help="print only one line per period")
    p.set_defaults(func=cmd_water)

    p = sub.add_parser("sources", help="a year's source compliance table, exceedances and totals against the plan")
    p.add_argument("--year", type=int, required=True)
    p.set_defaults(func=cmd_sources)

    p = sub.add_parser("targets", help="the 811 plan's target registry")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.set_defaults(func=cmd_targets)

    p = sub.add_parser("scoreboard", help="every plan target for a year: value, target, status")
    p.add_argument("--year", type=int, required=True)
    p.set_defaults(func=cmd_scoreboard)

    p = sub.add_parser("alerts", help="create and send the alert emails the scoreboard calls for")
    p.add_argument("--year", type=int, help="the scoreboard year (default: this year)")
    p.add_argument("--dry-run", action="store_true", help="show what would be sent; send and record nothing")
    p.set_defaults(func=cmd_alerts)

    p = sub.add_parser("water-class", help="GB 3838-2002 class calculator for any CSV of water samples")
    p.add_argument("input")
    p.add_argument("-o", "--output")
    p.set_defaults(func=cmd_water_class)

    p = sub.add_parser("aqi", help="IAQI/AQI calculator for any CSV of concentrations")
    p.add_argument("input")
    p.add_argument("-o", "--output")
    p.add_argument("--mode", choices=["daily", "hourly"], default="daily")
    p.add_argument(
        "--edition",
        help="HJ 633 edition, 2012 or 2026; default: by each row's date/time column, else the one in force today",
    )
    p.set_defaults(func=cmd_aqi)

    p = sub.add_parser("daily-aqi", help="hourly station readings -> station-day values and AQI")
    p.add_argument("input")
    p.add_argument("-o", "--output")
    p.set_defaults(func=cmd_daily_aqi)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    from sqlalchemy.exc import SQLAlchemyError

    from pipeline.ingest import IngestError
    from pipeline.validate import ValidationError

    def refuse(message: str) -> int:  # one line, whatever the message holds
        print(
            "error: " + " / ".join(part.strip() for part in str(message).splitlines() if part.strip()), file=sys.stderr
        )
        return EXIT_DATA

    try:
        return args.func(args, Settings.from_env())
    except (CommandError, IngestError, FileNotFoundError, ValidationError) as err:
        return refuse(str(err))
    except (OSError, ValueError) as err:  # unwritable output, a folder given as a file, bad values
        return refuse(f"{type(err).__name__}: {err}")
    except SQLAlchemyError as err:
        return refuse(f"warehouse: {str(err).splitlines()[0]}")
