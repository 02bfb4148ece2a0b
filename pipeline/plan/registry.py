"""The 811 plan's targets: one registry, and the one rule that says whether a value meets a goal.

The registry is ``data/reference/plan_targets_811.csv`` (loaded into the ``plan_target`` table by
``init-db``): for every quantitative target of the plan its comparator, value, unit, kind of comparison,
baseline year, deadline, how it is measured, for a computed target the indicator behind it
(``source_indicator``), and the lead department (``department``) its alerts ask to act. Nothing else holds a plan value: the computed indicators take their goals from
here (:func:`plan_goal`), the scoreboard evaluates its rows, and the views join ``plan_target``.
"""

from __future__ import annotations

import operator
from functools import cache

import pandas as pd

from pipeline.ingest.reference import PLAN_TARGETS, read_reference

REGISTRY = PLAN_TARGETS
REGISTRY_COLUMNS = ["id", "section", "indicator_zh", "indicator_en", "comparator", "value", "unit", "kind",
                    "baseline_year", "deadline", "scope", "measured_by", "source_indicator", "plan_text", "department"]  # fmt: skip

COMPARATORS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "=": operator.eq}
STATUSES = ("met", "missed", "at_risk", "no_data")

GOAL_OF = {
    "water.drinking_county_samples": "water.drinking_county_sections",
    "water.drinking_township_samples": "water.drinking_township_sections",
    "sources.key_compliance": "sources.key_steady",
}
"""Indicators that measure a registry target a second way (by sample instead of by section; by
source-day instead of by month) and are judged against that target's goal."""


def read_registry(path=REGISTRY) -> pd.DataFrame:
    """The plan's targets, typed."""
    rows = read_reference(path, floats=("value",), integers=("baseline_year", "deadline"))
    return pd.DataFrame(rows, columns=REGISTRY_COLUMNS)


@cache
def _bundled() -> pd.DataFrame:
    return read_registry()


def meets(value: float, comparator: str, goal: float) -> bool:
    """Whether ``value`` meets ``goal`` under ``comparator`` (``>``, ``>=``, ``<``, ``<=``, ``=``)."""
    return bool(COMPARATORS[comparator](float(value), float(goal)))


def status(value, comparator: str, goal) -> str:
    """``met``, ``missed`` or ``no_data`` (no value, or no goal) of one value against its goal: the one
    status rule of every indicator and of the scoreboard's targets at their deadline."""
    if value is None or pd.isna(value) or goal is None or pd.isna(goal):
        return "no_data"
    return "met" if meets(value, comparator, goal) else "missed"


def plan_goal(indicator: str, year: int, registry: pd.DataFrame | None = None) -> tuple[str, float] | None:
    """(comparator, value) of the plan target that ``indicator`` is judged against in ``year``: the
    registry's ``absolute`` target measured by it (or by the indicator of :data:`GOAL_OF`) whose deadline
    is the first at or after ``year``, else the last one (a target holds after its deadline: the plan's
    drinking-water sources are >= 95 % by 2012, then 100 % by 2015). None when no target measures it."""
    registry = _bundled() if registry is None else registry
    measured = GOAL_OF.get(indicator, indicator)
    rows = registry[
        (registry["source_indicator"] == measured) & (registry["kind"] == "absolute") & registry["value"].notna()
    ].sort_values("deadline")
    if rows.empty:
        return None
    due = rows[rows["deadline"] >= year]
    row = (due if len(due) else rows).iloc[0 if len(due) else -1]
    return str(row["comparator"]), float(row["value"])
