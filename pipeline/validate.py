"""Great Expectations runs on each batch, and the split into loadable rows and quarantine.

GX Core is called directly (the GX Airflow provider cannot be installed beside Airflow 3.3). Each
dataset's suite is a JSON file in ``expectations/``; every expectation carries ``meta.reason``, the
text a quarantined row gets. Rows that fail any expectation are quarantined with all their reasons;
the rest load. Nothing is dropped: ``len(valid) + len(quarantined) == len(records)``.

GX evaluates the row-local expectations (not null, in a set, between; with or without a ``row_condition``)
on the distinct combinations of the columns each reads, not on every row, and the rest on every row; the
rows, reasons and Data Docs counts are those of a run on every row (:func:`_validate_by_distinct_values`).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
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


PROVENANCE = ("source_file", "source_row", "record_key", "raw_record", "source_column")
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
    repeated = pd.Series(repeated_rows([keyed[c] for c in key]), index=keyed.index)
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


def run_suite(
    records: pd.DataFrame, suite_name: str, parameters: dict, *, by_distinct_values: bool = True
) -> Validated:
    """Validate ``records`` with ``expectations/<suite_name>.json``.

    parameters: values for the suite's ``$PARAMETER`` placeholders (e.g. ``known_stations``).
    Returns the valid rows and the quarantined rows with a ``reason`` column (reasons of every
    failed expectation, ``; ``-joined). Raises ValidationError when GX fails to evaluate one.
    by_distinct_values: GX evaluates row-local expectations on distinct values
    (:func:`_validate_by_distinct_values`); False: GX evaluates every expectation on every row
    (:func:`_run_suite_whole_frame`, the reference the tests compare with).
    """
    if READER_PROBLEM in records.columns:  # what the reader already knows is wrong: quarantined with its words
        problem = records[READER_PROBLEM].fillna("").astype(str)
        flagged = problem.str.len() > 0
        checked = run_suite(
            records[~flagged].drop(columns=READER_PROBLEM),
            suite_name,
            parameters,
            by_distinct_values=by_distinct_values,
        )
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
            checked = run_suite(records, suite_name, parameters, by_distinct_values=by_distinct_values)
            quarantined = pd.concat([checked.quarantined, duplicates], ignore_index=True)
            return Validated(checked.valid, quarantined, checked.expectations_run, checked.data_docs)
    if records.empty:
        return Validated(records.copy(), records.assign(reason=pd.Series(dtype=object)), 0)
    if by_distinct_values:
        result = _validate_by_distinct_values(records.reset_index(drop=True), suite, parameters)
    else:
        numbered = _with_row_numbers(records)
        result = _gx_validate(_gx_batch_definition(suite_name), numbered, suite, suite["expectations"], parameters)
    return _split(records, suite_name, result)


def _gx_batch_definition(suite_name: str):
    """A pandas dataframe asset's whole-dataframe batch definition in a fresh ephemeral GX context (each
    ``get_batch(batch_parameters={"dataframe": ...})`` on it is one GX batch)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    _quiet_gx_logging()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas(f"{suite_name}_source").add_dataframe_asset(suite_name)
    return asset.add_batch_definition_whole_dataframe("batch")


RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": ["gx_row"]}
"""What GX reports of each expectation: every unexpected row, by its position in the batch (``gx_row``)."""


def _gx_validate(definition, frame: pd.DataFrame, suite: dict, expectations: list[dict], parameters: dict):
    """GX's validation result of ``expectations`` (a part of ``suite``) on ``frame`` (which has ``gx_row``)."""
    part = {**suite, "expectations": expectations}
    batch = definition.get_batch(batch_parameters={"dataframe": frame})
    return batch.validate(_gx_suite(part), expectation_parameters=parameters, result_format=dict(RESULT_FORMAT))


def _with_row_numbers(records: pd.DataFrame) -> pd.DataFrame:
    return records.reset_index(drop=True).rename_axis("gx_row").reset_index()


def _run_suite_whole_frame(records: pd.DataFrame, suite_name: str, parameters: dict) -> Validated:
    """:func:`run_suite` with every expectation evaluated by GX on every row (one GX batch of the whole
    frame), as before distinct values: the reference :func:`_validate_by_distinct_values` must agree with."""
    return run_suite(records, suite_name, parameters, by_distinct_values=False)


def _split(records: pd.DataFrame, suite_name: str, result) -> Validated:
    """The valid and quarantined rows of ``records`` by GX's ``result`` (whose ``gx_row`` are positions in
    ``records``); a row's reasons are those of the expectations it fails, in the order of GX's results
    (:func:`gx_result_order`)."""
    frame = _with_row_numbers(records)
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
    quarantined["reason"] = ["; ".join(dict.fromkeys(reasons[i])) for i in quarantined["gx_row"].tolist()]
    log.info("%s: %d rows valid, %d quarantined", suite_name, int((~bad).sum()), int(bad.sum()))
    return Validated(
        frame[~bad].drop(columns="gx_row"), quarantined.drop(columns="gx_row"), len(result.results), data_docs(result)
    )


ROW_LOCAL = {
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_null",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_not_be_in_set",
    "expect_column_values_to_be_between",
}
"""Column map expectations whose verdict on a row depends on that row's values only: the value of
``column`` (compared with constants) and, through a ``row_condition``, the values of the columns it names."""

ROW_LOCAL_KWARGS = {"column", "value_set", "min_value", "max_value", "strict_min", "strict_max",
                    "row_condition", "condition_parser"}  # fmt: skip
"""The arguments a :data:`ROW_LOCAL` expectation may have to be evaluated on distinct values. Not ``mostly``
(its verdict depends on the share of rows), nor anything else this module does not know."""

COLUMNS_ONLY = {"expect_compound_columns_to_be_unique"}
"""Expectations that read only the columns of their ``column_list``: GX runs them on all rows but only
those columns (a narrower frame is cheaper for GX to take as a batch)."""


def _condition_columns(condition, columns) -> list[str] | None:
    """The columns a pandas ``row_condition`` string reads (the names in it), or None when it is not
    such a string or names anything but columns (a local ``@x``, a function, a back-quoted name)."""
    import ast

    if not isinstance(condition, str) or "@" in condition or "`" in condition:
        return None
    try:
        tree = ast.parse(condition.strip(), mode="eval")
    except SyntaxError:
        return None
    names = [node.id for node in ast.walk(tree) if isinstance(node, ast.Name)]
    if any(name not in columns for name in names):
        return None
    return list(dict.fromkeys(names))


def columns_read(expectation: dict, columns) -> tuple[str, ...] | None:
    """The columns whose values alone decide ``expectation`` on a row, if it is row-local (see
    :data:`ROW_LOCAL`) and everything it reads is among ``columns``; None otherwise."""
    kwargs = expectation["kwargs"]
    if expectation["type"] not in ROW_LOCAL or set(kwargs) - ROW_LOCAL_KWARGS or kwargs.get("column") not in columns:
        return None
    read = [kwargs["column"]]
    if kwargs.get("row_condition") is not None:
        if kwargs.get("condition_parser") != "pandas":
            return None
        named = _condition_columns(kwargs["row_condition"], columns)
        if named is None:
            return None
        read += named
    return tuple(sorted(set(read)))


def distinct_rows(frame: pd.DataFrame, columns: tuple[str, ...]) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """(distinct, codes, counts): one row per distinct combination of ``columns`` (its first row in
    ``frame``, so real values, dtypes kept), numbered by ``gx_row``; ``codes[i]`` the number of the
    combination of ``frame``'s row ``i``; ``counts[k]`` how many rows carry combination ``k``.

    Nulls are values here (``dropna=False``): a null is its own combination, so GX still sees it. In an
    object column the Python type is part of the combination, so ``1``, ``1.0`` and ``True`` (equal for
    pandas' grouping) or ``None`` and ``NaN`` stay apart."""
    keys = [frame[c] for c in columns]
    keys += [frame[c].map(type) for c in columns if frame[c].dtype == object]
    codes = group_codes(keys)
    seen_before = np.maximum.accumulate(codes)
    firsts = np.flatnonzero(np.r_[True, codes[1:] > seen_before[:-1]]) if len(codes) else np.empty(0, dtype=np.intp)
    distinct = frame[list(columns)].take(firsts).reset_index(drop=True)
    return distinct.rename_axis("gx_row").reset_index(), codes, np.bincount(codes, minlength=len(firsts))


def group_codes(keys: list[pd.Series]) -> np.ndarray:
    """The number of each row's combination of ``keys``, combinations numbered in order of first appearance,
    nulls a value like any other: ``groupby(keys, sort=False, dropna=False).ngroup()`` by hashing, not sorting."""
    labels, _ = _combined_labels(keys)
    return pd.factorize(labels)[0].astype(np.int64)


def repeated_rows(keys: list[pd.Series]) -> np.ndarray:
    """Whether each row's combination of ``keys`` occurs more than once: ``DataFrame.duplicated(keep=False)``
    (which factorizes each column as :func:`_combined_labels` does), counted without a hash table of rows."""
    labels, size = _combined_labels(keys)
    if size <= 4 * len(labels) + 1_000_000:
        return np.bincount(labels, minlength=size)[labels] > 1
    _, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    return counts[inverse] > 1


def _combined_labels(keys: list[pd.Series]) -> tuple[np.ndarray, int]:
    """(a label per row, equal where every key is equal; the labels' range): each key factorized (a categorical
    by its codes), the codes combined in mixed radix, relabelled only when the radix would overflow."""
    labels = np.zeros(len(keys[0]) if keys else 0, dtype=np.int64)
    size = 1
    for key in keys:
        if isinstance(key.dtype, pd.CategoricalDtype):
            column, k = key.cat.codes.to_numpy().astype(np.int64) + 1, len(key.cat.categories) + 1
        else:
            column, uniques = pd.factorize(key, use_na_sentinel=False)
            column, k = column.astype(np.int64), max(len(uniques), 1)
        if size * k >= 2**62:
            labels = pd.factorize(labels)[0].astype(np.int64)
            size = int(labels.max()) + 1 if len(labels) else 1
        labels = labels * k + column
        size *= k
    return labels, size


def _validate_by_distinct_values(frame: pd.DataFrame, suite: dict, parameters: dict):
    """GX's validation result of ``suite`` on ``frame``, as a whole-frame run would report it.

    A row-local expectation (:func:`columns_read`) gives the same verdict on every row that carries the
    same values in the columns it reads. So the suite's row-local expectations are grouped by those
    columns and GX evaluates each group on the distinct combinations of its columns (a few thousand rows
    instead of a night's 600,000); an unexpected combination makes all the rows that carry it unexpected.
    Every other expectation (``expect_compound_columns_to_be_unique``, any other kind) is evaluated by GX on
    all rows, as before. GX decides every verdict; this function only maps them back to rows and reports
    the counts of rows (:func:`_row_level_result`), so the Data Docs page reads as a whole-frame run's."""
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult
    from great_expectations.validator.validator import calc_validation_statistics

    definition = _gx_batch_definition(suite["name"])
    numbered = _with_row_numbers(frame)
    groups: dict[tuple[str, ...] | None, list[int]] = {}
    for position, expectation in enumerate(suite["expectations"]):
        groups.setdefault(columns_read(expectation, frame.columns), []).append(position)
    groups = _merged_into_supersets(groups)
    outcomes: dict[int, object] = {}
    metas = []
    for columns, positions in groups.items():
        if columns is None:
            for result, done in _whole_frame_results(definition, numbered, suite, positions, parameters):
                outcomes.update(zip(done, result.results, strict=True))
                metas.append(result.meta)
            continue
        distinct, codes, counts = distinct_rows(frame, columns)
        # GX reports a run's results grouped by column (:func:`gx_result_order`), a merged group's too
        positions = [positions[i] for i in gx_result_order([suite["expectations"][p] for p in positions])]
        result = _gx_validate(definition, distinct, suite, [suite["expectations"][p] for p in positions], parameters)
        metas.append(result.meta)
        for position, outcome in zip(positions, result.results, strict=True):
            outcomes[position] = _row_level_result(
                suite["expectations"][position], outcome, frame, distinct, codes, counts
            )
    results = [outcomes[p] for p in gx_result_order(suite["expectations"])]
    statistics = calc_validation_statistics(results)
    return ExpectationSuiteValidationResult(
        results=results,
        success=statistics.success,
        suite_name=suite["name"],
        statistics={
            "evaluated_expectations": statistics.evaluated_expectations,
            "successful_expectations": statistics.successful_expectations,
            "unsuccessful_expectations": statistics.unsuccessful_expectations,
            "success_percent": statistics.success_percent,
        },
        meta=metas[0],  # GX's version, the asset and the first of the batches GX validated
    )


def _merged_into_supersets(groups: dict) -> dict:
    """Groups of row-local expectations (by the columns they read) merged into a group whose columns hold
    theirs: an expectation reading ``value`` gives the same verdict on the distinct ``(pollutant, value)`` rows
    as on the distinct ``value`` rows (each row stands for rows with its value), and every GX run has a fixed
    cost (~0.4 s), so the air suite's 6 row-local groups take 4 runs. A group keeps its expectations' order."""
    keys = [k for k in groups if k is not None]
    merged: dict = {k: v for k, v in groups.items() if k is None}
    for key in sorted(keys, key=len, reverse=True):
        into = next((k for k in merged if k is not None and set(key) < set(k)), None)
        if into is None:
            merged[key] = list(groups[key])
        else:
            merged[into] = sorted(merged[into] + groups[key])
    return merged


def gx_result_order(expectations: list[dict]) -> list[int]:
    """The positions of ``expectations`` in the order GX reports their results: grouped by ``column`` in
    the order columns first appear, the suite's order within a column, those without a column last (GX's
    ``Validator.process_expectations_for_validation``). Quarantine reasons follow this order."""
    by_column: dict[object, list[int]] = {}
    for position, expectation in enumerate(expectations):
        column = expectation["kwargs"].get("column")
        by_column.setdefault(column if isinstance(column, str) else None, []).append(position)
    last = by_column.pop(None, [])
    return [p for positions in by_column.values() for p in positions] + last


def _whole_frame_results(definition, numbered: pd.DataFrame, suite: dict, positions: list[int], parameters: dict):
    """(GX result, the suite positions it holds) of the expectations at ``positions``, evaluated on all
    rows: those of :data:`COLUMNS_ONLY` on their columns only, the others on the whole frame."""
    expectations = suite["expectations"]
    narrow = [p for p in positions if expectations[p]["type"] in COLUMNS_ONLY
              and set(expectations[p]["kwargs"]) == {"column_list"}
              and set(expectations[p]["kwargs"]["column_list"]) <= set(numbered.columns)]  # fmt: skip
    for p in narrow:
        columns = ["gx_row", *dict.fromkeys(expectations[p]["kwargs"]["column_list"])]
        yield _gx_validate(definition, numbered[columns], suite, [expectations[p]], parameters), [p]
    wide = [p for p in positions if p not in narrow]
    if wide:
        yield _gx_validate(definition, numbered, suite, [expectations[p] for p in wide], parameters), wide


def _row_level_result(
    expectation: dict, outcome, frame: pd.DataFrame, distinct: pd.DataFrame, codes: np.ndarray, counts: np.ndarray
):
    """``outcome`` (GX's result of the row-local ``expectation`` on ``distinct``) restated for the rows of
    ``frame``: the unexpected rows are those carrying an unexpected combination, and the counts, percentages
    and lists are rebuilt from them by GX's own ``_format_map_output``, as GX would report them had it
    evaluated every row. The rows in the expectation's domain (its ``row_condition``) are found with the
    query GX's pandas engine runs (``DataFrame.query(row_condition, parser="pandas")``)."""
    from great_expectations.expectations.expectation import _format_map_output
    from great_expectations.expectations.expectation_configuration import parse_result_format

    if outcome.exception_info and outcome.exception_info.get("raised_exception"):
        return outcome
    kwargs = expectation["kwargs"]
    column = kwargs["column"]
    unexpected_codes = [int(item["gx_row"]) for item in outcome.result.get("unexpected_index_list") or []]
    rows = np.flatnonzero(np.isin(codes, unexpected_codes))
    domain = distinct
    if kwargs.get("row_condition") is not None:
        domain = distinct.query(kwargs["row_condition"], parser=kwargs["condition_parser"])
    domain_codes = domain["gx_row"].to_numpy()
    element_count = int(counts[domain_codes].sum())
    nonnull_count = None
    if "missing_count" in outcome.result:  # GX reports nulls apart for this expectation
        nonnull_count = int(counts[domain_codes[domain[column].notna().to_numpy()]].sum())
    values = frame[column].take(rows)
    unexpected_index_list = [
        {column: v, "gx_row": np.int64(i)} for v, i in zip(values.array, rows.tolist(), strict=True)
    ]
    outcome.result = _format_map_output(
        result_format=parse_result_format(dict(RESULT_FORMAT)),
        success=outcome.success,
        element_count=element_count,
        nonnull_count=nonnull_count,
        unexpected_count=len(rows),
        unexpected_list=values.tolist(),
        unexpected_index_list=unexpected_index_list,
        unexpected_index_query=f"df.filter(items={rows.tolist()}, axis=0)",
        unexpected_index_column_names=list(RESULT_FORMAT["unexpected_index_column_names"]),
    )["result"]
    return outcome


DATA_DOCS_EXAMPLES = 20
"""Unexpected values and row indexes a Data Docs page lists per expectation (the quarantine holds them all)."""


EXPECTATION_NAMES = {
    "expect_column_values_to_not_be_null": "不得为空",
    "expect_column_values_to_be_null": "应为空",
    "expect_column_values_to_be_in_set": "取值须在允许集合内",
    "expect_column_values_to_not_be_in_set": "取值不得在禁止集合内",
    "expect_column_values_to_be_between": "数值须在范围内",
    "expect_column_values_to_match_regex": "格式须符合",
    "expect_compound_columns_to_be_unique": "组合须唯一",
    "expect_column_values_to_be_unique": "须唯一",
    "expect_table_row_count_to_be_between": "行数须在范围内",
}
"""Chinese names of the GX expectation types the suites use (the type itself is shown beside it)."""

DATA_DOCS_STYLE = (
    'body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:24px;color:#222}'
    "table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #ddd;padding:3px 6px;vertical-align:top;"
    "text-align:left}th{background:#f4f4f4}.ok{color:#1a7f37}.bad{color:#b42318;font-weight:bold}"
    "code{font-size:.9em;word-break:break-all}.en{color:#666;font-size:.9em}"
)


def data_docs(result) -> str:
    """A GX validation result as a self-contained Data Docs page, Chinese first: every expectation with its
    reason, verdict, counts and up to :data:`DATA_DOCS_EXAMPLES` unexpected values. Rendered here from GX's
    result objects, not by GX's page templates: every value (all of which may come from a supplier's file) is
    HTML-escaped, the page loads nothing from elsewhere and runs no script (issue 28)."""
    import html
    import json

    def esc(value) -> str:
        return html.escape(str(value), quote=True)

    def shown(value) -> str:
        return esc(json.dumps(value, ensure_ascii=False, default=str))

    statistics = getattr(result, "statistics", {}) or {}
    meta = getattr(result, "meta", {}) or {}
    suite = getattr(result, "suite_name", "") or ""
    rows = []
    for outcome in sorted(result.results, key=lambda o: bool(o.success)):  # failed first, GX's order kept
        config = outcome.expectation_config
        found = outcome.result or {}
        kwargs = {k: v for k, v in (config.kwargs or {}).items() if k not in ("column", "batch_id")}
        examples = (found.get("partial_unexpected_list") or found.get("unexpected_list") or [])[:DATA_DOCS_EXAMPLES]
        unexpected = found.get("unexpected_count")
        percent = found.get("unexpected_percent")
        counted = "—" if unexpected is None else f"{int(unexpected):,}" + (
            "" if percent is None else f" ({float(percent):.2f} %)")  # fmt: skip
        rows_checked = "—" if found.get("element_count") is None else f"{int(found.get('element_count')):,}"
        verdict = '<span class="ok">通过 passed</span>' if outcome.success else '<span class="bad">未通过 failed</span>'
        rows.append(
            f"<tr><td>{esc(EXPECTATION_NAMES.get(config.type, config.type))}<br><code>{esc(config.type)}</code></td>"
            f"<td><code>{esc(config.kwargs.get('column', '') or '')}</code></td><td><code>{shown(kwargs)}</code></td>"
            f"<td>{esc((config.meta or {}).get('reason', ''))}</td><td>{verdict}</td>"
            f"<td>{rows_checked}</td>"
            f"<td>{esc(counted)}</td><td>{'、'.join(f'<code>{shown(v)}</code>' for v in examples) or '—'}</td></tr>"
        )
    evaluated = statistics.get("evaluated_expectations", len(result.results))
    passed = statistics.get("successful_expectations", sum(1 for o in result.results if o.success))
    overall = '<span class="ok">全部通过 all passed</span>' if passed == evaluated else (
        f'<span class="bad">{evaluated - passed} 项未通过 failed</span>')  # fmt: skip
    version = meta.get("great_expectations_version", "")
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>数据校验结果 Validation results — {esc(suite)}</title><style>{DATA_DOCS_STYLE}</style></head><body>"
        f'<p><a href="../index.html">数据校验报告首页 Data Docs home</a></p>'
        f'<h1>数据校验结果 <span class="en">Validation results</span>：<code>{esc(suite)}</code></h1>'
        f"<p>期望 {evaluated} 项，通过 {passed} 项：{overall}。未通过的行在数据仓库的 <code>quarantine</code> 表中，"
        f'附原因 <span class="en">(rows failing an expectation are in the warehouse\'s quarantine table with '
        f"their reasons)</span>。</p>"
        "<table><tr><th>期望 Expectation</th><th>列 Column</th><th>参数 Arguments</th><th>原因 Reason</th>"
        "<th>结果 Result</th><th>检查行数 Rows</th><th>不符合行数 Unexpected</th>"
        f"<th>不符合的值（至多{DATA_DOCS_EXAMPLES}个）Unexpected values</th></tr>{''.join(rows)}</table>"
        f'<p class="en">Great Expectations {esc(version)} · 校验由 GX 完成，页面由 qz811 生成 validated by GX, '
        "page written by qz811</p></body></html>\n"
    )


def stage_data_docs(staging: Path, part: str, result: Validated) -> None:
    """Keep a validation's Data Docs page beside its staged rows until the batch is loaded."""
    if result.data_docs:
        (Path(staging) / f"data_docs{part}.html").write_text(result.data_docs, encoding="utf-8")


def staged_data_docs(staging: Path) -> list[str]:
    """The Data Docs pages of a staged batch (one per validated group, in group order)."""
    return [p.read_text(encoding="utf-8") for p in sorted(Path(staging).glob("data_docs*.html"))]


def page_stem(period: str) -> str:
    """The file name stem of a period's Data Docs pages: the period itself when it is a safe name
    (``2019-02-10``), else its safe characters and a digest of the exact text, so that two periods whose names
    differ only in punctuation (``file a.b.csv``, ``file a_b.csv``) never share a page."""
    import hashlib

    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in period)
    return safe if safe == period else f"{safe}-{hashlib.sha256(period.encode('utf-8')).hexdigest()[:10]}"


def publish_data_docs(docs_dir: Path, pages: list[str], dataset: str, period: str, accounting: dict) -> Path:
    """Keep a loaded batch's Data Docs: its page(s) under ``docs_dir/<dataset>/`` and a line in
    ``docs_dir/index.html`` (Chinese first: dataset, period, batch, rows read, loaded, quarantined). A re-run
    of the period replaces its pages. Returns the index."""
    import html

    folder = Path(docs_dir) / dataset
    folder.mkdir(parents=True, exist_ok=True)
    stem = page_stem(period)
    sidecar = folder / f"{stem}.json"
    if sidecar.is_file():  # the pages of this period's previous run, by name: no glob can take another's
        for name in json.loads(sidecar.read_text(encoding="utf-8")).get("pages", []):
            (folder / Path(name).name).unlink(missing_ok=True)
    names = []
    for i, page in enumerate(pages):
        name = f"{stem}.html" if len(pages) == 1 else f"{stem}_part{i + 1}.html"
        (folder / name).write_text(page, encoding="utf-8")
        names.append(name)
    entry = {"dataset": dataset, "period": period, "pages": names,
             **{k: accounting.get(k) for k in ("batch_id", "rows_read", "rows_loaded", "rows_quarantined")}}  # fmt: skip
    sidecar.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
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


def warm_up() -> None:
    """Import GX (seconds) once, before worker processes fork from this one and inherit it."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations  # noqa: F401
