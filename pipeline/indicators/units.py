"""Units of the departments' statistics, converted to the unit of the plan target they report on. Pure.

A department may give a share as a percentage, a per-mille figure or a ratio (65 %, 650 ‰, 0.65), a mass in t,
kg or 10^4 t, and so on. A value is compared with its target only in the target's unit: it is converted when
both units are of one family below (a factor each), taken as it is when the units are the same (after the
aliases), and refused by name otherwise (issue 28: "650 ‰" was read as 650 %, "0.8" as a ratio as 0.8 %).
"""

from __future__ import annotations

FAMILIES: dict[str, dict[str, float]] = {
    "share": {"ratio": 1.0, "%": 0.01, "‰": 0.001},
    "mass": {"t": 1.0, "kg": 0.001, "10^4 t": 1e4},
    "volume": {"m3": 1.0, "10^4 m3": 1e4},
    "mu": {"mu": 1.0, "10^4 mu": 1e4},
    "area": {"km2": 1.0, "ha": 0.01, "m2": 1e-6},
    "length": {"km": 1.0, "m": 0.001},
}
"""Convertible units: family -> {unit: its size in the family's first unit}."""

ALIASES = {
    "percent": "%", "pct": "%", "百分比": "%", "％": "%", "permille": "‰", "per mille": "‰", "千分比": "‰",
    "fraction": "ratio", "比值": "ratio", "比率": "ratio",
    "吨": "t", "tonne": "t", "tonnes": "t", "千克": "kg", "公斤": "kg", "万吨": "10^4 t", "1e4 t": "10^4 t",
    "立方米": "m3", "m³": "m3", "万立方米": "10^4 m3", "10^4 m³": "10^4 m3", "亩": "mu", "万亩": "10^4 mu",
    "平方公里": "km2", "km²": "km2", "公顷": "ha", "平方米": "m2", "m²": "m2", "公里": "km", "千米": "km", "米": "m",
    "个": "count", "处": "count", "µg/m³": "ug/m3", "μg/m3": "ug/m3", "μg/m³": "ug/m3", "µg/m3": "ug/m3",
}  # fmt: skip
"""Other spellings of the units (Chinese, symbols), as departments write them."""


def canonical(unit: str | None) -> str:
    """``unit`` as the registry spells it: aliases resolved, blanks trimmed ('' when missing)."""
    text = unit.strip() if isinstance(unit, str) else ""
    return ALIASES.get(text, ALIASES.get(text.lower(), text))


def _family(unit: str) -> str | None:
    return next((name for name, sizes in FAMILIES.items() if unit in sizes), None)


def base_unit(unit: str | None) -> str | None:
    """The first unit of a quantity's family (``kg`` -> ``t``, ``万亩`` -> ``mu``), or None for a share (``%``, kept
    as given) or a unit of no family."""
    family = _family(canonical(unit))
    return next(iter(FAMILIES[family])) if family and family != "share" else None


def conversion_factor(unit: str | None, target_unit: str | None) -> float | None:
    """The factor that turns a value in ``unit`` into ``target_unit`` (1.0 when they are the same), or None when
    it cannot be (other families, or a unit that is not the target's and not convertible)."""
    given, wanted = canonical(unit), canonical(target_unit)
    if not given or not wanted:
        return None
    if given == wanted:
        return 1.0
    family = _family(given)
    if family is None or family != _family(wanted):
        return None
    return FAMILIES[family][given] / FAMILIES[family][wanted]


def why_not(unit: str | None, target_unit: str) -> str:
    """The quarantine reason of a value whose unit cannot be turned into the target's."""
    given = unit.strip() if isinstance(unit, str) else ""
    if not given:
        return f"unit missing (the target is in {target_unit})"
    return f"unit {given!r} cannot be compared with the target's {target_unit!r}"
