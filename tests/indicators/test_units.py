"""Units of statistics turned into their target's unit (pipeline/indicators/units.py)."""

from __future__ import annotations

import pytest

from pipeline.indicators.units import base_unit, canonical, conversion_factor, why_not


@pytest.mark.parametrize(
    "unit,target,factor",
    [
        ("%", "%", 1.0),
        ("‰", "%", 0.1),  # 650 ‰ forest cover is 65 %
        ("ratio", "%", 100.0),  # 0.8 as a ratio is 80 %
        ("百分比", "%", 1.0),
        ("%", "ratio", 0.01),
        ("万吨", "t", 1e4),
        ("kg", "t", 0.001),
        ("万亩", "10^4 mu", 1.0),
        ("亩", "10^4 mu", 1e-4),
        ("公顷", "km2", 0.01),
        ("个", "count", 1.0),
        ("µg/m³", "ug/m3", 1.0),
    ],
)
def test_units_of_one_family_convert(unit, target, factor):
    assert conversion_factor(unit, target) == pytest.approx(factor)


@pytest.mark.parametrize("unit,target", [("kg", "%"), ("%", "t"), ("", "%"), (None, "%"), ("m3/10^4 CNY", "%"),
                                         ("%/a", "%"), ("pH", "%")])  # fmt: skip
def test_other_units_are_refused_by_name(unit, target):
    assert conversion_factor(unit, target) is None
    assert (repr(unit.strip()) if unit else "unit missing") in why_not(unit, target)


def test_aliases_resolve_to_the_registry_spelling():
    assert canonical(" 千分比 ") == "‰" and canonical("PERCENT") == "%" and canonical("km²") == "km2"


def test_a_quantity_has_a_base_unit_and_a_share_keeps_its_own():
    assert base_unit("kg") == "t" and base_unit("万亩") == "mu" and base_unit("ha") == "km2"
    assert base_unit("%") is None and base_unit("kgce/unit") is None
