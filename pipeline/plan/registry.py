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
STATUSES = ("missed", "at_risk", "on_track", "met", "no_data", "unjudged")
"""Statuses, what needs attention first. ``met``/``missed``: a complete period (or a target at its deadline)
judged against its goal; ``at_risk``/``on_track``: a period so far (1-N月累计, :mod:`pipeline.indicators.coverage`)
or a target before its deadline, by the rule its note states; ``no_data``."""

STATUS_WORDS = {
    "missed": ("未达标", "missed", "#d7191c"),
    "at_risk": ("有未达标风险", "at risk", "#f39c12"),
    "on_track": ("进度正常", "on track", "#66bd63"),
    "met": ("达标", "met", "#1a9641"),
    "no_data": ("无数据", "no data", "#9e9e9e"),
    "unjudged": ("数据不完整，不作评价", "incomplete data, not judged", "#bdbdbd"),
    "measured": ("已测", "measured", "#666666"),
}
"""Status -> (Chinese, English, colour): the one home of the words every output uses (``measured``: a value
with no goal of its own)."""


def status_text(status: str) -> str:
    """``未达标 missed``: a status for people, Chinese first."""
    zh, en, _ = STATUS_WORDS.get(status, (status, status, ""))
    return f"{zh} {en}"


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


COVERAGE_UNITS = {
    "air": ("有效天", "valid days"),
    "water": ("断面·月", "section-months"),
    "sources": ("排口·月", "outlet-months"),
    "acid_rain": ("月", "months"),
    "noise": ("测点", "points"),
}
"""What an indicator family's ``n_valid``/``n_expected`` count (:mod:`pipeline.indicators.coverage`)."""


def _blank(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value)) or value == ""


def coverage_text(indicator: str, period: str, coverage, first_day, last_day, n_valid, n_expected) -> str:
    """A row's coverage for people, Chinese first: ``2019年1–6月累计（2019-01-01至2019-06-30，有效天 171/365）year to
    date``; ``2019年 数据完整 ...complete``; '' when the row has none (written before migration 005)."""
    if _blank(coverage):
        return ""
    zh, en = COVERAGE_UNITS.get(indicator.split(".", 1)[0], ("", "values"))
    counts = f"{zh} {int(n_valid)}/{int(n_expected)}" if not _blank(n_valid) and not _blank(n_expected) else ""
    if _blank(first_day):
        if counts and int(n_valid):
            return f"{period} 年度调查 annual survey（{counts}）"
        return (
            f"{period}年 部门报送的全年数值 annual figure supplied"
            if coverage == "complete"
            else f"{period} 无数据 no data"
        )
    span = f"{str(first_day)[:10]}至{str(last_day)[:10]}" + (f"，{counts}" if counts else "")
    if coverage == "complete":
        return f"{period} 数据完整（{span}）complete"
    if coverage == "partial":
        return f"{period} 数据不完整，不作评价（{span}）incomplete data, not judged"
    if len(str(period)) == 4:
        return f"{period}年{ytd_months(last_day)}（{span}）year to date, incomplete"
    return f"{period} 月内累计（{span}）month so far, incomplete"


def ytd_months(last_day: str | None) -> str:
    """``1–6月累计``: a period so far, to the last month with data."""
    return f"1–{int(str(last_day)[5:7])}月累计" if last_day else "累计"


def ytd_outlook(value, comparator: str, goal, best=None) -> tuple[str, str]:
    """(status, note) of a period so far against ``goal``: ``at_risk`` when the value so far does not meet it,
    else ``on_track`` (``no_data`` without a value or goal). The value is the rule's: a rate or ratio so far, an
    annual concentration so far against its limit, a load so far against its cap pro-rated by days.
    best: for the good-day ratio, the year's ratio if every remaining day were good: the note says whether the
    goal is still reachable (``best`` meets it) or no longer is."""
    if value is None or pd.isna(value) or goal is None or pd.isna(goal):
        return "no_data", "累计期无数值 no value so far"
    ok = meets(value, comparator, goal)
    note = ("累计值达到目标 value so far meets the goal" if ok else
            "累计值未达到目标 value so far below the goal")  # fmt: skip
    if best is not None and not pd.isna(best):
        reach = meets(best, comparator, goal)
        note += (f"；余下天数全部优良时全年最高 {best:.2f}，{'仍可达标' if reach else '已无法达标'}"
                 f" (best case for the year {best:.2f}: {'still reachable' if reach else 'no longer reachable'})")  # fmt: skip
    return ("on_track" if ok else "at_risk"), note


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
