"""Great Expectations runs on each batch, and the split into loadable rows and quarantine.

GX Core is called directly (the GX Airflow provider cannot be installed beside Airflow 3.3). Each
dataset's suite is a JSON file in ``expectations/``; every expectation carries ``meta.reason``, the
text a quarantined row gets. Rows that fail any expectation are quarantined with all their reasons;
the rest load. Nothing is dropped: ``len(valid) + len(quarantined) == len(records)``.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.ingest import READER_PROBLEM

EXPECTATIONS_DIR = Path(__file__).resolve().parent.parent / "expectations"
log = logging.getLogger(__name__)


class ValidationError(RuntimeError):
    """GX could not evaluate an expectation (not the same as a row failing one)."""


@dataclass
class Validated:
    valid: pd.DataFrame
    quarantined: pd.DataFrame  # records' columns plus ``reason``
    expectations_run: int
    data_docs: str = ""
    """The GX validation result rendered by GX's own Data Docs renderer (an HTML page); "" without one."""


def load_suite(name: str) -> dict:
    """The suite ``expectations/<name>.json`` as a dict."""
    return json.loads((EXPECTATIONS_DIR / f"{name}.json").read_text(encoding="utf-8"))


def _gx_suite(suite: dict):
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    expectations = [
        ExpectationConfiguration(type=e["type"], kwargs=e["kwargs"], meta=e.get("meta", {})).to_domain_obj()
        for e in suite["expectations"]
    ]
    return gx.ExpectationSuite(name=suite["name"], expectations=expectations, notes=suite.get("notes"))


def _quiet_gx_logging() -> None:
    """GX logs its set-up (temporary folders, doc registries) at INFO, some loggers with their own
    level; keep our logs readable by raising all of them to WARNING."""
    for name in [n for n in logging.root.manager.loggerDict if n.startswith("great_expectations")]:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("great_expectations").setLevel(logging.WARNING)


PROVENANCE = ("source_file", "source_row", "record_key", "raw_record")
"""Where a record came from, not what it says: left out when two records are compared."""


def unique_key(suite: dict) -> list[str] | None:
    """The columns of the suite's ``expect_compound_columns_to_be_unique``, if it has one."""
    for expectation in suite["expectations"]:
        if expectation["type"] == "expect_compound_columns_to_be_unique":
            return list(expectation["kwargs"]["column_list"])
    return None


def split_duplicates(records: pd.DataFrame, key: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(records without duplicates, duplicates with a ``reason``), see the module docstring. Records are
    compared on every column but :data:`PROVENANCE`; the copy kept is the first in reading order."""
    keyed = records.reset_index(drop=True)
    repeated = keyed.duplicated(subset=key, keep=False)
    if not repeated.any():
        return keyed, keyed.iloc[0:0].assign(reason=pd.Series(dtype=object))
    compared = [c for c in keyed.columns if c not in PROVENANCE]
    copies = keyed[repeated]  # usually a handful of rows: compare those only
    group = copies.groupby(key, sort=False, dropna=False).ngroup()
    signature = copies[compared].apply(lambda column: column.map(repr)).agg("\x1f".join, axis=1)
    conflicting = pd.Series(False, index=keyed.index)
    conflicting[copies.index] = (signature.groupby(group).transform("nunique") > 1).to_numpy()
    first_of = pd.Series(copies.index, index=copies.index).groupby(group).transform("first")
    extra = pd.Series(False, index=keyed.index)
    extra[copies.index] = (~conflicting[copies.index] & (first_of != copies.index)).to_numpy()
    reasons = pd.Series("", index=keyed.index, dtype=object)
    reasons[extra] = [_copy_of(keyed.loc[i], keyed.loc[first_of[i]]) for i in keyed.index[extra]]
    reasons[conflicting] = "conflicting duplicate (same key, different values)"
    bad = extra | conflicting
    return keyed[~bad], keyed[bad].assign(reason=reasons[bad])


def _copy_of(row: pd.Series, origin: pd.Series) -> str:
    here = f"row {origin.get('source_row', '?')}"
    if "source_file" in row and origin.get("source_file") != row.get("source_file"):
        here = f"{Path(str(origin.get('source_file'))).name} {here}"
    return f"duplicate of {here}"


def run_suite(records: pd.DataFrame, suite_name: str, parameters: dict) -> Validated:
    """Validate ``records`` with ``expectations/<suite_name>.json``.

    parameters: values for the suite's ``$PARAMETER`` placeholders (e.g. ``known_stations``).
    Returns the valid rows and the quarantined rows with a ``reason`` column (reasons of every
    failed expectation, ``; ``-joined). Raises ValidationError when GX fails to evaluate one.
    """
    if READER_PROBLEM in records.columns:  # what the reader already knows is wrong: quarantined with its words
        problem = records[READER_PROBLEM].fillna("").astype(str)
        flagged = problem.str.len() > 0
        checked = run_suite(records[~flagged].drop(columns=READER_PROBLEM), suite_name, parameters)
        if not flagged.any():
            return checked
        found = records[flagged].drop(columns=READER_PROBLEM).assign(reason=problem[flagged])
        return Validated(
            checked.valid,
            pd.concat([checked.quarantined, found], ignore_index=True),
            checked.expectations_run,
            checked.data_docs,
        )
    suite = load_suite(suite_name)
    key = unique_key(suite)
    if key and all(c in records.columns for c in key) and len(records):
        records, duplicates = split_duplicates(records, key)
        if len(duplicates):
            checked = run_suite(records, suite_name, parameters)
            quarantined = pd.concat([checked.quarantined, duplicates], ignore_index=True)
            return Validated(checked.valid, quarantined, checked.expectations_run, checked.data_docs)
    if records.empty:
        return Validated(records.copy(), records.assign(reason=pd.Series(dtype=object)), 0)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    _quiet_gx_logging()

    frame = records.reset_index(drop=True).rename_axis("gx_row").reset_index()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas(f"{suite_name}_source").add_dataframe_asset(suite_name)
    batch = asset.add_batch_definition_whole_dataframe("batch").get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(
        _gx_suite(suite),
        expectation_parameters=parameters,
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["gx_row"]},
    )
    reasons: dict[int, list[str]] = {}
    for outcome in result.results:
        config = outcome.expectation_config
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            raise ValidationError(
                f"{suite_name}: {config.type}({config.kwargs.get('column', '')}) could not run: "
                f"{outcome.exception_info.get('exception_message')}"
            )
        if outcome.success:
            continue
        reason = (config.meta or {}).get("reason") or f"{config.type}({config.kwargs.get('column', '')})"
        for item in outcome.result.get("unexpected_index_list") or []:
            reasons.setdefault(int(item["gx_row"]), []).append(reason)
    bad = frame["gx_row"].isin(list(reasons))
    quarantined = frame[bad].copy()
    quarantined["reason"] = quarantined["gx_row"].map(lambda i: "; ".join(dict.fromkeys(reasons[i])))
    log.info("%s: %d rows valid, %d quarantined", suite_name, int((~bad).sum()), int(bad.sum()))
    return Validated(
        frame[~bad].drop(columns="gx_row"), quarantined.drop(columns="gx_row"), len(result.results), data_docs(result)
    )


DATA_DOCS_EXAMPLES = 20
"""Unexpected values and row indexes a Data Docs page lists per expectation (the quarantine holds them all)."""


def data_docs(result) -> str:
    """A GX validation result as a Data Docs page (GX's ``ValidationResultsPageRenderer`` and
    ``DefaultJinjaPageView``, what ``build_data_docs`` writes), its lists of unexpected values cut to
    :data:`DATA_DOCS_EXAMPLES`."""
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    for outcome in result.results:
        for key in (
            "unexpected_list",
            "unexpected_index_list",
            "partial_unexpected_list",
            "partial_unexpected_index_list",
        ):
            if isinstance(outcome.result.get(key), list):
                outcome.result[key] = outcome.result[key][:DATA_DOCS_EXAMPLES]
    return DefaultJinjaPageView().render(ValidationResultsPageRenderer().render(result))


def stage_data_docs(staging: Path, part: str, result: Validated) -> None:
    """Keep a validation's Data Docs page beside its staged rows until the batch is loaded."""
    if result.data_docs:
        (Path(staging) / f"data_docs{part}.html").write_text(result.data_docs, encoding="utf-8")


def staged_data_docs(staging: Path) -> list[str]:
    """The Data Docs pages of a staged batch (one per validated group, in group order)."""
    return [p.read_text(encoding="utf-8") for p in sorted(Path(staging).glob("data_docs*.html"))]


def publish_data_docs(docs_dir: Path, pages: list[str], dataset: str, period: str, accounting: dict) -> Path:
    """Keep a loaded batch's Data Docs: its page(s) under ``docs_dir/<dataset>/`` and a line in
    ``docs_dir/index.html`` (Chinese first: dataset, period, batch, rows read, loaded, quarantined). A re-run
    of the period replaces its pages. Returns the index."""
    import html

    folder = Path(docs_dir) / dataset
    folder.mkdir(parents=True, exist_ok=True)
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in period)
    for old in folder.glob(f"{stem}*.html"):
        old.unlink()
    names = []
    for i, page in enumerate(pages):
        name = f"{stem}.html" if len(pages) == 1 else f"{stem}_part{i + 1}.html"
        (folder / name).write_text(page, encoding="utf-8")
        names.append(name)
    entry = {"dataset": dataset, "period": period, "pages": names,
             **{k: accounting.get(k) for k in ("batch_id", "rows_read", "rows_loaded", "rows_quarantined")}}  # fmt: skip
    (folder / f"{stem}.json").write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
    rows = []
    for sidecar in sorted(Path(docs_dir).glob("*/*.json")):
        e = json.loads(sidecar.read_text(encoding="utf-8"))
        links = " ".join(
            f'<a href="{html.escape(sidecar.parent.name)}/{html.escape(n)}">校验结果 results{"" if len(e["pages"]) == 1 else f" {k + 1}"}</a>'
            for k, n in enumerate(e["pages"])
        )
        rows.append(
            f"<tr><td>{html.escape(e['dataset'])}</td><td>{html.escape(e['period'])}</td><td>{html.escape(str(e['batch_id']))}</td>"
            f"<td>{e['rows_read']}</td><td>{e['rows_loaded']}</td><td>{e['rows_quarantined']}</td><td>{links}</td></tr>"
        )
    index = Path(docs_dir) / "index.html"
    partial = index.with_name(f"index.html.{os.getpid()}.partial")  # two DAGs at once: no half-written index
    partial.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>数据校验报告 Data Docs</title>'
        '<style>body{font-family:"Noto Sans CJK SC",sans-serif;margin:24px}td,th{border:1px solid #ddd;padding:3px 6px}'
        "table{border-collapse:collapse}</style></head><body><h1>数据校验报告 <small>Data Docs (Great Expectations)</small></h1>"
        "<p>每批数据的校验结果 The validation results of every loaded batch; rows failing an expectation are in the "
        "warehouse's <code>quarantine</code> table with their reasons.</p><table><tr><th>数据集 Dataset</th>"
        "<th>时段 Period</th><th>批次 Batch</th><th>读取 Read</th><th>入库 Loaded</th><th>隔离 Quarantined</th>"
        f"<th>校验页 Pages</th></tr>{''.join(rows)}</table></body></html>\n",
        encoding="utf-8",
    )
    partial.replace(index)
    return index
