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
import os
import sys
import time
from pathlib import Path

import pandas as pd

from pipeline.config import Settings
from pipeline.ingest import shown

EXIT_DATA = 1


class CommandError(Exception):
    """A problem the user can fix; printed as one line."""


def _engine(settings: Settings):
    from pipeline.store.engine import make_engine

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
    from pipeline.store.postgres import apply_roles
    from pipeline.store.schema import init_db

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
    """Load files outside the nightly schedule (all of them or none), then recompute what they touch."""
    from pipeline.jobs import air, annual, sources, water

    engine = _engine(settings)
    if args.dataset in ("air", "water", "sources"):
        job = {"air": air, "water": water, "sources": sources}[args.dataset]
        loaded = job.load_files(engine, args.paths, docs_dir=settings.data_docs_dir)
        names = [shown(path) for path in args.paths]
    else:
        batches = annual.ingest(engine, args.dataset, args.paths, docs_dir=settings.data_docs_dir)
        loaded = {"batches": batches, "recomputed": None}
        names = [row["source_files"] for row in loaded["batches"]]
    for n, (name, row) in enumerate(zip(names, loaded["batches"], strict=True), start=1):
        print(
            f"[{n}/{len(names)}] {name}: {row['rows_read']} read, {row['rows_loaded']} loaded, "
            f"{row['rows_quarantined']} quarantined (batch {row['batch_id']})"
        )
    if loaded["recomputed"]:
        print(loaded["recomputed"])
    return 0


def cmd_targets(args, settings: Settings) -> int:
    from pipeline.plan.registry import read_registry

    registry = read_registry()
    columns = ["id", "indicator_zh", "indicator_en", "comparator", "value", "unit", "baseline_year", "deadline", "scope",
               "measured_by", "kind", "section", "source_indicator"]  # fmt: skip
    _emit(registry[columns], args.format, title=f"811 plan targets 规划目标 ({len(registry)})")
    return 0


def cmd_scoreboard(args, settings: Settings) -> int:
    from pipeline.plan import scoreboard
    from pipeline.reports.text import scoreboard_text

    engine = _engine(settings)
    scoreboard.compute(engine, args.year)
    print(scoreboard_text(engine, args.year))
    return 0


def cmd_ranking(args, settings: Settings) -> int:
    from pipeline.reports.text import ranking_text

    print(ranking_text(_engine(settings), args.year, args.universe, args.period, args.city))
    return 0


def cmd_alerts(args, settings: Settings) -> int:
    from pipeline.plan import alerts, scoreboard

    engine = _engine(settings)
    now = dt.datetime.now(dt.UTC)
    year = args.year or now.year
    if args.dry_run:  # the scoreboard evaluated now, stored nowhere: a dry run writes nothing
        for row in alerts.plan_alerts(engine, year, now, record=False, board=scoreboard.evaluated(engine, year)):
            print(f"would send: {row['subject']} -> {row['recipients']}")
        return 0
    scoreboard.compute(engine, year)
    created = alerts.plan_alerts(engine, year, now)
    smtp = alerts.SmtpSettings.from_env()
    transport, sender = (smtp.client, smtp.sender) if smtp else (None, "qz811@localhost")
    counts = alerts.deliver(
        engine,
        transport,
        settings.outbox_dir,
        now,
        sender,
        report_dir=settings.report_dir,
        report_url=settings.report_url,
    )
    where = f"SMTP {smtp.host}:{smtp.port}" if smtp else f"outbox {settings.outbox_dir} (no QZ811_SMTP_HOST)"
    print(f"{len(created)} new alert(s); delivered via {where}: {counts}")
    try:
        alerts.raise_on_failures(counts)
    except alerts.DeliveryError as err:
        raise CommandError(str(err)) from None
    return 0


def cmd_mail_month_report(args, settings: Settings) -> int:
    from pipeline.plan import alerts, month_report

    now = dt.datetime.now(dt.UTC)
    if args.date:  # as if on that (local) day, at noon
        now = dt.datetime.combine(args.date, dt.time(12), tzinfo=month_report.LOCAL).astimezone(dt.UTC)
    smtp = alerts.SmtpSettings.from_env()
    transport, sender = (smtp.client, smtp.sender) if smtp else (None, "qz811@localhost")
    counts = month_report.mail_month_report(
        _engine(settings), transport, settings.outbox_dir, now, sender, settings.report_dir, settings.report_url
    )
    if not counts["period"]:
        print("无待发月报 no month report due (the month before has no report, or it is the 1st)")
    elif not counts["recipients"]:
        raise CommandError(
            "no recipient for the month report: add a '*' line (the plan office) to config/alert_recipients.csv"
        )
    else:
        where = f"SMTP {smtp.host}:{smtp.port}" if smtp else f"outbox {settings.outbox_dir} (no QZ811_SMTP_HOST)"
        print(f"{counts['period']} 月报 month report via {where}: {counts}")
    if counts["pending"] or counts["refused"]:
        raise CommandError(f"month report {counts['period']} not delivered to every recipient: see table report_mail")
    return 0


def cmd_sources(args, settings: Settings) -> int:
    from pipeline.reports.text import sources_summary

    print(sources_summary(_engine(settings), args.year))
    return 0


def cmd_water(args, settings: Settings) -> int:
    from pipeline.jobs import water
    from pipeline.reports.text import water_summary
    from pipeline.windows import day_window, month_window

    landing = Path(args.landing) if args.landing else settings.water_landing_dir
    engine = _engine(settings)
    if args.month:
        windows = [("manual", month_window(m.year, m.month)) for m in args.month]
    else:
        windows = [("auto", day_window(d)) for d in args.date]
    for n, (kind, window) in enumerate(windows, start=1):
        result = water.run_period(engine, landing, kind, window, settings.staging_dir, docs_dir=settings.data_docs_dir)
        print(
            f"[{n}/{len(windows)}] water {kind} {window.label}: {result['rows_read']} read, {result['rows_loaded']} loaded, "
            f"{result['rows_quarantined']} quarantined, {result['rows_other_days']} left to other days"
        )
    if args.month and not args.quiet:
        print(water_summary(engine, args.month[-1]))
    return 0


def cmd_run(args, settings: Settings) -> int:
    from pipeline.jobs.air import run_day
    from pipeline.progress import progress_prefix
    from pipeline.reports.text import day_summary

    if bool(args.first) != bool(args.last):
        raise CommandError("--from and --to go together (a backfill of every day between them)")
    if args.first:  # a range is a backfill: one bulk job
        if args.date:
            raise CommandError("give --date days or a --from/--to range, not both")
        return cmd_backfill(args, settings)
    days = list(args.date or [])
    if not days:
        raise CommandError("no day to run: give --date YYYY-MM-DD (repeatable) or --from ... --to ...")
    landing = Path(args.landing) if args.landing else settings.landing_dir
    engine = _engine(settings)
    kept = _hourly_scope(engine, settings)
    started = time.monotonic()
    for n, day in enumerate(days, start=1):
        result = run_day(engine, landing, day, settings.staging_dir, docs_dir=settings.data_docs_dir, kept=kept)
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
    return 0


def _hourly_scope(engine, settings: Settings):
    from pipeline.jobs.air import hourly_stations

    try:
        return hourly_stations(engine, settings.hourly_scope)
    except ValueError as err:
        raise CommandError(f"QZ811_HOURLY_SCOPE: {err}") from None


DEFAULT_WORKERS = min(2, os.cpu_count() or 1)
"""Backfill worker processes by default: two (a bureau server has more CPUs, but each worker holds up to ~1.5 GB
of a national group), one where there is one CPU."""


def cmd_backfill(args, settings: Settings) -> int:
    from pipeline.jobs.air import backfill
    from pipeline.progress import progress_prefix

    if args.last < args.first:
        raise CommandError(f"--to {args.last} is before --from {args.first}")
    landing = Path(args.landing) if args.landing else settings.landing_dir
    engine = _engine(settings)
    kept = _hourly_scope(engine, settings)
    started = time.monotonic()
    print(f"backfill 补录 {args.first} … {args.last} from {landing} (hourly readings kept for: "
          f"{settings.hourly_scope}; station- and city-days for every city)", flush=True)  # fmt: skip

    def show(done: int, total: int, outcomes) -> None:
        loaded = [o for o in outcomes if o.status == "loaded"]
        counts = {k: sum(getattr(o, k) for o in loaded) for k in ("rows_read", "rows_loaded", "rows_quarantined")}
        shown = [o.day for o in outcomes] or [None]
        span = f"{min(shown)} … {max(shown)}" if shown[0] else ""
        print(
            f"{progress_prefix(done, total, time.monotonic() - started)} {span}: {len(loaded)} day(s) loaded, "
            f"{counts['rows_read']} read, {counts['rows_loaded']} loaded, {counts['rows_quarantined']} quarantined"
            + "".join(f"; {o.day} {o.status}" for o in outcomes if o.status != "loaded"),
            flush=True,
        )

    outcomes = backfill(engine, landing, args.first, args.last, kept=kept, docs_dir=settings.data_docs_dir,
                        days_per_load=args.days_per_load, workers=getattr(args, "workers", DEFAULT_WORKERS),
                        progress=show)  # fmt: skip
    known = set(args.known_gap or [])
    warned = [o for o in outcomes if o.warnings]
    for o in warned:
        for warning in o.warnings:
            print(f"  {o.day} warning: {warning}")
    problems = [o for o in outcomes if o.problem and o.day not in known]
    gaps = [o for o in outcomes if o.problem and o.day in known]
    skipped = sum(o.status == "skipped" for o in outcomes)
    print(f"backfill done in {time.monotonic() - started:.1f} s: {sum(o.status == 'loaded' for o in outcomes)} day(s) "
          f"loaded, {skipped} already loaded (skipped), {len(warned)} with warnings, "
          f"{len(gaps) + len(problems)} with a problem")  # fmt: skip
    for o in gaps:
        print(f"  {o.day} {o.status} (known gap in the source): {o.note}")
    for o in problems:
        print(f"error: {o.day} {o.status}: {o.note}", file=sys.stderr)
    return 1 if problems else 0


def cmd_recompute(args, settings: Settings) -> int:
    from pipeline.jobs.air import recompute
    from pipeline.plan import scoreboard
    from pipeline.progress import progress_prefix
    from pipeline.store.engine import sql

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
        scored = {int(row[0]) for row in conn.execute(sql("dml/scoreboard/select_scoreboard_years"))}
    for year in sorted(scored & set(result["years"])):
        scoreboard.compute(engine, year)
    years = ", ".join(map(str, result["years"]))
    print(f"recomputed {len(result['days'])} day(s), {result['days'][0]} to {result['days'][-1]}; "
          f"air indicators of {years}; scoreboard of {', '.join(map(str, sorted(scored & set(result['years'])))) or 'no year'}")  # fmt: skip
    return 0


def cmd_indicators(args, settings: Settings) -> int:
    from pipeline.reports.text import indicator_frame

    frame = indicator_frame(_engine(settings), args.year)
    _emit(frame, args.format, title=f"Indicators 指标 ({args.year or 'all years'})")
    return 0


def cmd_summary(args, settings: Settings) -> int:
    from pipeline.reports.text import year_summary

    print(year_summary(_engine(settings), args.year, args.city))
    return 0


def cmd_report(args, settings: Settings) -> int:
    from pipeline.reports.html import report_path, write_report

    output = Path(args.output) if args.output else report_path(settings.report_dir, args.year)
    print(write_report(_engine(settings), args.year, args.city, output, docs_dir=settings.data_docs_dir))
    return 0


def cmd_export(args, settings: Settings) -> int:
    from pipeline.reports.exports import ExportError, export, export_month, export_summary

    engine = _engine(settings)
    try:
        if args.name == "month":
            if args.year is None or args.month is None:
                raise CommandError("export month: give --year and --month")
            path, rows = export_month(engine, args.year, args.month, args.city, Path(args.output))
        elif args.name == "summary":
            if args.year is None:
                raise CommandError("export summary: give --year")
            path, rows = export_summary(engine, args.year, args.city, Path(args.output))
        else:
            path, rows = export(engine, args.name, args.year, Path(args.output))
    except ExportError as err:
        raise CommandError(str(err)) from None
    print(f"wrote {rows} rows to {path}")
    return 0


def _emit(frame: pd.DataFrame, fmt: str, title: str) -> None:
    from pipeline.reports.text import format_table

    if fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif fmt == "json":
        print(
            json.dumps(frame.astype(object).where(frame.notna(), None).to_dict("records"), ensure_ascii=False, indent=1)
        )
    else:
        print(format_table(frame, title))


def cmd_aqi(args, settings: Settings) -> int:
    from pipeline.calculators import aqi_csv

    aqi_csv(args.input, args.output, args.mode, args.edition)
    return 0


def cmd_daily_aqi(args, settings: Settings) -> int:
    from pipeline.calculators import daily_aqi_csv

    daily_aqi_csv(args.input, args.output)
    return 0


def cmd_water_class(args, settings: Settings) -> int:
    from pipeline.calculators import water_class_csv

    water_class_csv(args.input, args.output)
    return 0


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
    p.add_argument("--days-per-load", type=int, default=31, help=argparse.SUPPRESS)
    p.add_argument("--known-gap", type=_day, action="append", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("backfill", help="load a range of days in bulk (resumable; the same warehouse as nightly runs)")
    p.add_argument("--from", dest="first", type=_day, required=True, help="first natural day, YYYY-MM-DD")
    p.add_argument("--to", dest="last", type=_day, required=True, help="last natural day, included")
    p.add_argument("--landing", help="folder with the files (default: QZ811_LANDING_DIR or the bundled sample)")
    p.add_argument(
        "--known-gap", type=_day, action="append",
        help="a day known to be missing in the source (repeatable): still named, but not an error",
    )  # fmt: skip
    p.add_argument("--days-per-load", type=int, default=31, help="days validated and written per transaction (31)")
    p.add_argument(
        "--workers", type=int, default=DEFAULT_WORKERS,
        help=f"processes that read and validate groups of days while this one writes ({DEFAULT_WORKERS} here: "
        "2, or 1 on a one-CPU machine; each needs up to ~1.5 GB for national days)",
    )  # fmt: skip
    p.set_defaults(func=cmd_backfill)

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

    p = sub.add_parser(
        "export", help="indicators, a view or a city's year summary as CSV or Excel (.xlsx), Chinese headers first"
    )
    p.add_argument(
        "name",
        help="indicators, summary, month (the month report's tables), or a view: v_air_city_day, ... (docs/warehouse.md)",
    )
    p.add_argument("--year", type=int, help="one year and its months (default: every year; summary and month need it)")
    p.add_argument("--month", type=int, help="the month of `export month` (1-12)")
    p.add_argument("--city", default="衢州", help="the city of a summary or month report (default 衢州)")
    p.add_argument("-o", "--output", required=True, help="file to write: .csv or .xlsx")
    p.set_defaults(func=cmd_export)

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

    p = sub.add_parser("ranking", help="where a city ranks among Zhejiang's 11 cities or the ministry's 168 (城市排名)")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--universe", default="zhejiang_11", help="zhejiang_11 (default) or mee_168")
    p.add_argument("--period", help="YYYY, YYYY-MM or YYYY-01~MM (1-N月); default: the year, else the last 1-N月")
    p.add_argument("--city", default="衢州", help="the city whose place is said (default 衢州)")
    p.set_defaults(func=cmd_ranking)

    p = sub.add_parser("mail-month-report", help="mail the month before's report (月报) to the plan office, once")
    p.add_argument("--date", type=_day, help="as if today were this local date (default: today)")
    p.set_defaults(func=cmd_mail_month_report)

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
    from pipeline.calculators import InputError
    from pipeline.ingest import IngestError
    from pipeline.validate import ValidationError

    def refuse(message: str) -> int:  # one line, whatever the message holds
        print(
            "error: " + " / ".join(part.strip() for part in str(message).splitlines() if part.strip()), file=sys.stderr
        )
        return EXIT_DATA

    try:
        return args.func(args, Settings.from_env())
    except (CommandError, InputError, IngestError, FileNotFoundError, ValidationError) as err:
        return refuse(str(err))
    except Exception as err:
        # The warehouse's errors, classes of modules the command imported (a calculator imports no
        # SQLAlchemy: 0.13 s of its start-up); an error of a module never imported is none of them.
        reads, database = sys.modules.get("pipeline.store.reads"), sys.modules.get("sqlalchemy.exc")
        if reads is not None and isinstance(err, reads.RegistryEmpty):
            return refuse(str(err))
        if isinstance(err, (OSError, ValueError)):  # unwritable output, a folder given as a file, bad values
            return refuse(f"{type(err).__name__}: {err}")
        if database is not None and isinstance(err, database.SQLAlchemyError):
            return refuse(f"warehouse: {str(err).splitlines()[0]}")
        driver = sys.modules.get("psycopg")  # the schema scripts go through psycopg itself (function bodies)
        if driver is not None and isinstance(err, driver.Error):
            return refuse(f"warehouse: {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}")
        raise
