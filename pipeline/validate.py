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

EXPECTATIONS_DIR = Path(__file__).resolve().parent.parent / "expectations"
log = logging.getLogger(__name__)


class ValidationError(RuntimeError):
    """GX could not evaluate an expectation (not the same as a row failing one)."""


@dataclass
class Validated:
    valid: pd.DataFrame
    quarantined: pd.DataFrame  # records' columns plus ``reason``
    expectations_run: int


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


def run_suite(records: pd.DataFrame, suite_name: str, parameters: dict) -> Validated:
    """Validate ``records`` with ``expectations/<suite_name>.json``.

    parameters: values for the suite's ``$PARAMETER`` placeholders (e.g. ``known_stations``).
    Returns the valid rows and the quarantined rows with a ``reason`` column (reasons of every
    failed expectation, ``; ``-joined). Raises ValidationError when GX fails to evaluate one.
    """
    suite = load_suite(suite_name)
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
    return Validated(frame[~bad].drop(columns="gx_row"), quarantined.drop(columns="gx_row"), len(result.results))
