"""Surface-water classes per GB 3838-2002 and the national evaluation method (环办〔2011〕22号).

Single-factor evaluation (地表水环境质量评价办法(试行), 环办〔2011〕22号, clause on 单因子评价): each item's
class is the best class whose Table 1 limit its value meets (``max`` items: value <= limit; DO, a
minimum: value >= limit; pH: 6-9 in every class, outside it 劣V); a value meeting no class-V limit is
劣V. The sample's or section's class is the worst class among the assessed items, and those items
are its limiting items. Classes are numbered 1-6 (6 = 劣V).

Items assessed (same method): GB 3838-2002 Table 1 without water temperature, total nitrogen and fecal
coliform (21 items). Lakes and reservoirs use the lake TP limits; their TN is a reference item,
evaluated apart. Period values: the arithmetic mean of each item over the period, then classified.
Non-detects (``0.01L``) enter at half the detection limit (the method's convention as recalled in
``shared/reference/water_evaluation.md``; unverified).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

CLASS_NAMES = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "劣V"}
"""Class number -> name as written in reports (Latin letters; 劣V = worse than V)."""

_ROMAN = {"Ⅰ": "I", "Ⅱ": "II", "Ⅲ": "III", "Ⅳ": "IV", "Ⅴ": "V"}

GB3838_2002_TABLE1 = pd.DataFrame(
    [
        # code, name_zh, name_en, unit, I, II, III, IV, V, direction
        ("ph", "pH值", "pH", "1", 6, 6, 6, 6, 6, "range"),
        ("do", "溶解氧", "Dissolved oxygen", "mg/L", 7.5, 6, 5, 3, 2, "min"),
        ("codmn", "高锰酸盐指数", "Permanganate index", "mg/L", 2, 4, 6, 10, 15, "max"),
        ("cod", "化学需氧量", "Chemical oxygen demand", "mg/L", 15, 15, 20, 30, 40, "max"),
        ("bod5", "五日生化需氧量", "5-day biochemical oxygen demand", "mg/L", 3, 3, 4, 6, 10, "max"),
        ("nh3n", "氨氮", "Ammonia nitrogen", "mg/L", 0.15, 0.5, 1.0, 1.5, 2.0, "max"),
        ("tp", "总磷(以P计)", "Total phosphorus (as P)", "mg/L", 0.02, 0.1, 0.2, 0.3, 0.4, "max"),
        (
            "tp_lake",
            "总磷(湖、库)",
            "Total phosphorus, lakes and reservoirs",
            "mg/L",
            0.01,
            0.025,
            0.05,
            0.1,
            0.2,
            "max",
        ),
        ("tn", "总氮(湖、库,以N计)", "Total nitrogen (lakes/reservoirs)", "mg/L", 0.2, 0.5, 1.0, 1.5, 2.0, "max"),
        ("cu", "铜", "Copper", "mg/L", 0.01, 1.0, 1.0, 1.0, 1.0, "max"),
        ("zn", "锌", "Zinc", "mg/L", 0.05, 1.0, 1.0, 2.0, 2.0, "max"),
        ("f", "氟化物(以F-计)", "Fluoride", "mg/L", 1.0, 1.0, 1.0, 1.5, 1.5, "max"),
        ("se", "硒", "Selenium", "mg/L", 0.01, 0.01, 0.01, 0.02, 0.02, "max"),
        ("as", "砷", "Arsenic", "mg/L", 0.05, 0.05, 0.05, 0.1, 0.1, "max"),
        ("hg", "汞", "Mercury", "mg/L", 0.00005, 0.00005, 0.0001, 0.001, 0.001, "max"),
        ("cd", "镉", "Cadmium", "mg/L", 0.001, 0.005, 0.005, 0.005, 0.01, "max"),
        ("cr6", "铬(六价)", "Chromium (hexavalent)", "mg/L", 0.01, 0.05, 0.05, 0.05, 0.1, "max"),
        ("pb", "铅", "Lead", "mg/L", 0.01, 0.01, 0.05, 0.05, 0.1, "max"),
        ("cn", "氰化物", "Cyanide", "mg/L", 0.005, 0.05, 0.2, 0.2, 0.2, "max"),
        ("phenol", "挥发酚", "Volatile phenols", "mg/L", 0.002, 0.002, 0.005, 0.01, 0.1, "max"),
        ("oil", "石油类", "Petroleum", "mg/L", 0.05, 0.05, 0.05, 0.5, 1.0, "max"),
        ("las", "阴离子表面活性剂", "Anionic surfactants", "mg/L", 0.2, 0.2, 0.2, 0.3, 0.3, "max"),
        ("s2", "硫化物", "Sulfide", "mg/L", 0.05, 0.1, 0.2, 0.5, 1.0, "max"),
        ("fecal_coliform", "粪大肠菌群", "Fecal coliforms", "MPN/L", 200, 2000, 10000, 20000, 40000, "max"),
    ],
    columns=["code", "name_zh", "name_en", "unit", "I", "II", "III", "IV", "V", "direction"],
).set_index("code")
"""GB 3838-2002, Table 1: standard limits of the basic items, classes I-V [mg/L; pH 1; coliform
MPN/L]. pH: 6-9 for every class (the class columns hold the lower bound). ``tp_lake`` is TP for lakes
and reservoirs. Water temperature (item 1) has only a narrative limit and is not classified."""

PH_RANGE = (6.0, 9.0)
"""GB 3838-2002, Table 1 item 2: pH 6-9 in classes I-V."""

GB3838_2002_TABLE2 = pd.DataFrame(
    [
        ("so4", "硫酸盐(以SO4 2-计)", "Sulfate", "mg/L", 250.0),
        ("cl", "氯化物(以Cl-计)", "Chloride", "mg/L", 250.0),
        ("no3n", "硝酸盐(以N计)", "Nitrate (as N)", "mg/L", 10.0),
        ("fe", "铁", "Iron", "mg/L", 0.3),
        ("mn", "锰", "Manganese", "mg/L", 0.1),
    ],
    columns=["code", "name_zh", "name_en", "unit", "limit"],
).set_index("code")
"""GB 3838-2002, Table 2: supplementary items of centralised drinking-water sources, one limit each
[mg/L] (recalled with high confidence; ``shared/reference``)."""

ASSESSED_ITEMS = [c for c in GB3838_2002_TABLE1.index if c not in ("tn", "fecal_coliform", "tp_lake")]
"""The 21 items of the national evaluation (环办〔2011〕22号): Table 1 without water temperature, TN and
fecal coliform. For lakes and reservoirs ``tp`` is judged on the ``tp_lake`` limits."""

NO_EXCEEDANCE_MULTIPLE = frozenset({"ph", "do"})
"""No exceedance multiple for pH and DO (water-temperature too) (recalled; water_evaluation.md)."""


def parse_class(text) -> float:
    """'Ⅱ', 'II', '劣Ⅴ', '劣V', 'III类' -> 2, 2, 6, 6, 3; NaN for empty or unknown text."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return np.nan
    value = str(text).strip().removesuffix("类")
    for roman, latin in _ROMAN.items():
        value = value.replace(roman, latin)
    if value.startswith("劣"):
        return 6.0 if value[1:] == "V" else np.nan
    names = {v: k for k, v in CLASS_NAMES.items()}
    return float(names[value]) if value in names else np.nan


def class_name(number) -> str:
    """6 -> '劣V'; NaN -> ''."""
    return "" if number is None or pd.isna(number) else CLASS_NAMES[int(number)]


@cache
def _limits(item: str, waterbody: str) -> tuple[np.ndarray, str]:
    code = "tp_lake" if item == "tp" and waterbody == "lake" else item
    row = GB3838_2002_TABLE1.loc[code]
    limits = row[["I", "II", "III", "IV", "V"]].to_numpy(dtype=float)
    limits.setflags(write=False)  # cached: shared by every caller
    return limits, row["direction"]


def item_class(values, item: str, waterbody="river") -> np.ndarray:
    """Class 1-6 of each value of one item (GB 3838-2002 Table 1); NaN where the value is missing.

    values: concentrations [mg/L; pH 1; coliform MPN/L]. waterbody: ``river`` or ``lake`` (lakes and
    reservoirs), a scalar or an array aligned with ``values`` (only TP differs).
    """
    values = np.asarray(values, dtype=float)
    bodies = np.broadcast_to(np.asarray(waterbody, dtype=object), values.shape)
    unknown = ~np.isin(bodies, ["river", "lake"])
    if unknown.any():
        raise ValueError(f"waterbody must be 'river' or 'lake', not {sorted(set(bodies[unknown]))}")
    return _item_class(values, item, {body: bodies == body for body in ("river", "lake")})


def _item_class(values: np.ndarray, item: str, rows_of: dict[str, np.ndarray]) -> np.ndarray:
    """:func:`item_class` with the rows of each water body already found (boolean masks)."""
    result = np.full(values.shape, np.nan)
    for body, rows in rows_of.items():
        if not rows.any():
            continue
        limits, direction = _limits(item, body)
        v = values[rows]
        if direction == "range":
            classes = np.where((v >= PH_RANGE[0]) & (v <= PH_RANGE[1]), 1.0, 6.0)
        else:
            # A tiny tolerance keeps a mean of 0.05000000000000001 at the 0.05 limit.
            meets = v[:, None] <= limits * (1 + 1e-9) if direction == "max" else v[:, None] >= limits * (1 - 1e-9)
            classes = np.where(meets.any(axis=1), meets.argmax(axis=1) + 1.0, 6.0)
        result[rows] = np.where(np.isnan(v), np.nan, classes)
    return result


def limit_of(item: str, water_class: int, waterbody: str = "river") -> float:
    """Table 1 limit of ``item`` for class 1-5 [mg/L]."""
    return float(_limits(item, waterbody)[0][int(water_class) - 1])


def classify(frame: pd.DataFrame, items=None, target_class=None) -> pd.DataFrame:
    """Single-factor class of each row (a sample, or a section's period means).

    frame: item columns (canonical codes of :data:`GB3838_2002_TABLE1`) and ``waterbody``
      (``river``/``lake``; default river). items: the items that count (default :data:`ASSESSED_ITEMS`
      present in ``frame``). target_class: a column name or array of target classes 1-5 (optional).
    Returns, same index: ``water_class`` (1-6, NaN if no item), ``water_class_name``,
    ``limiting_items`` (items at the worst class, ``;``-joined, empty for class I), ``meets_target``
    (class <= target; NaN without target), ``exceedances`` (``item=multiple;...`` for items above the
    target class limit, or above class III without a target; multiple = (C - limit) / limit).
    """
    items = [c for c in (items or ASSESSED_ITEMS) if c in frame.columns]
    body = frame["waterbody"].to_numpy(dtype=object) if "waterbody" in frame else np.full(len(frame), "river", object)
    unknown = ~np.isin(body, ["river", "lake"])
    if unknown.any():
        raise ValueError(f"waterbody must be 'river' or 'lake', not {sorted(set(body[unknown]))}")
    rows_of = {b: body == b for b in ("river", "lake")}  # once for all items
    classes = pd.DataFrame(
        {c: _item_class(frame[c].to_numpy(dtype=float), c, rows_of) for c in items}, index=frame.index
    )
    worst = classes.max(axis=1, skipna=True) if items else pd.Series(np.nan, index=frame.index)
    out = pd.DataFrame(index=frame.index)
    out["water_class"] = worst
    names = np.array(["", *CLASS_NAMES.values()], dtype=object)  # index 0: no class
    out["water_class_name"] = pd.Series(names[worst.fillna(0).to_numpy().astype(np.int64)], index=frame.index)
    hits = classes.eq(worst, axis=0).to_numpy() & (worst > 1).to_numpy()[:, None]
    out["limiting_items"] = pd.Series(_joined(hits, items), index=frame.index) if items else ""
    if target_class is not None:
        target = frame[target_class] if isinstance(target_class, str) else pd.Series(target_class, index=frame.index)
        target = pd.to_numeric(target, errors="coerce")
        meets = pd.array(worst <= target, dtype="boolean")
        meets[(target.isna() | worst.isna()).to_numpy()] = pd.NA
        out["meets_target"] = meets
    else:
        target = pd.Series(np.nan, index=frame.index)
        out["meets_target"] = pd.array([pd.NA] * len(frame), dtype="boolean")
    out["exceedances"] = exceedances(frame, items, target.fillna(3), body)
    return out


def exceedances(frame: pd.DataFrame, items, target: pd.Series, waterbody: np.ndarray) -> pd.Series:
    """``item=multiple`` for every item above its limit at the target class, ``;``-joined.
    Multiple = (C - C_target) / C_target, two decimals; none for pH and DO."""
    target = np.asarray(target, dtype=float)
    lake = np.asarray(waterbody, dtype=object) == "lake"
    judged = (target >= 1) & (target <= 5)  # a target outside I-V: no limit, no exceedance
    slot = np.where(judged, target, 1).astype(np.int64) - 1
    parts = np.full(len(frame), "", dtype=object)
    for item in items:
        if item in NO_EXCEEDANCE_MULTIPLE:
            continue
        values = frame[item].to_numpy(dtype=float)
        limits = np.where(lake, _limits(item, "lake")[0][slot], _limits(item, "river")[0][slot])
        limits[~judged] = np.nan
        with np.errstate(invalid="ignore"):
            rows = np.flatnonzero(values > limits * (1 + 1e-9))
        multiples = (values[rows] - limits[rows]) / limits[rows]
        parts[rows] = [
            f"{before};{item}={m:.2f}" if before else f"{item}={m:.2f}"
            for before, m in zip(parts[rows], multiples, strict=True)
        ]
    return pd.Series(parts, index=frame.index, dtype=object)


def _joined(hits: np.ndarray, names: list[str]) -> np.ndarray:
    """For each row of a boolean array (rows, names): the names it marks, ``;``-joined in ``names``' order
    (each distinct combination joined once)."""
    masks = hits.astype(np.int64) @ (np.int64(1) << np.arange(len(names), dtype=np.int64))
    distinct, inverse = np.unique(masks, return_inverse=True)
    joined = np.array([";".join(n for i, n in enumerate(names) if m >> i & 1) for m in distinct.tolist()], dtype=object)
    return joined[inverse.ravel()]


def table2_compliant(frame: pd.DataFrame) -> pd.Series:
    """True where every Table 2 item present is within its limit (GB 3838-2002 Table 2, drinking-water
    sources); NaN-valued items are ignored."""
    ok = pd.Series(True, index=frame.index)
    for item, row in GB3838_2002_TABLE2.iterrows():
        if item in frame:
            ok &= ~(frame[item].to_numpy(dtype=float) > row["limit"] * (1 + 1e-9))
    return ok


def river_status(classes) -> tuple[str, str, float, float]:
    """Water-quality status of a river or basin from its sections' classes (环办〔2011〕22号, 5 or more
    sections): I-III share >= 90 % 优; >= 75 % 良好; otherwise by the 劣V share: < 20 % 轻度污染,
    < 40 % 中度污染, else 重度污染. Returns (status_zh, status_en, I-III share %, 劣V share %).
    With fewer than 5 sections the method classifies the mean of the sections instead: see
    :func:`classify` on averaged values."""
    classes = np.asarray([c for c in classes if not pd.isna(c)], dtype=float)
    if classes.size == 0:
        return "", "", np.nan, np.nan
    good = 100.0 * np.mean(classes <= 3)
    worst = 100.0 * np.mean(classes == 6)
    if good >= 90:
        return "优", "excellent", good, worst
    if good >= 75:
        return "良好", "good", good, worst
    if worst < 20:
        return "轻度污染", "lightly polluted", good, worst
    if worst < 40:
        return "中度污染", "moderately polluted", good, worst
    return "重度污染", "heavily polluted", good, worst


STATUS_BY_CLASS = {1: ("优", "excellent"), 2: ("优", "excellent"), 3: ("良好", "good"), 4: ("轻度污染", "lightly polluted"),
                   5: ("中度污染", "moderately polluted"), 6: ("重度污染", "heavily polluted")}  # fmt: skip
"""Qualitative wording of a class (环办〔2011〕22号; recalled): I-II 优, III 良好, IV 轻度污染, V 中度污染, 劣V 重度污染."""


def at_half_detection_limit(values, below_detection) -> np.ndarray:
    """Values with non-detects counted at half the detection limit they were reported as ("<DL" -> DL/2;
    环办〔2011〕22号, 《地表水环境质量评价办法(试行)》: an item not detected is evaluated at half its
    detection limit). values: the reported numbers; below_detection: True where reported as "<DL"."""
    values = np.asarray(values, dtype=float)
    return np.where(np.asarray(below_detection, dtype=bool), values / 2, values)


MIN_SECTIONS_FOR_SHARES = 5
"""环办〔2011〕22号: a river or basin with 5 or more sections is judged by the shares of its sections'
classes (:func:`river_status`); with fewer, by the class of the mean of its sections' values."""


QIANTANG_MAINSTREAM = "钱塘江干流(衢州段)"


def river_statuses(means: pd.DataFrame, registry: pd.DataFrame, period: str) -> list[dict]:
    """Status of each river, and of the Qiantang main stream as a whole, from its sections' period
    means (环办〔2011〕22号): with 5 or more sections by the shares of classes I-III and 劣V; with fewer,
    by the class of the mean of the sections' means."""
    frame = means.merge(registry[["section_code", "river_zh", "is_qiantang_mainstream"]], on="section_code")
    main = frame[frame["is_qiantang_mainstream"].astype(bool)].assign(river_zh=QIANTANG_MAINSTREAM)
    rows = []
    for river, group in pd.concat([frame, main]).groupby("river_zh", sort=True):
        classes_ = classify(group, target_class="target_class")["water_class"]
        if len(group) >= MIN_SECTIONS_FOR_SHARES:
            zh, en, good, worst = river_status(classes_)
            method = f"class shares of {len(group)} sections"
        else:
            items = [c for c in ASSESSED_ITEMS if c in group]
            mean = group[items].mean().to_frame().T.assign(waterbody=group["waterbody"].iloc[0])
            mean_class = classify(mean)["water_class"].iloc[0]
            zh, en = STATUS_BY_CLASS.get(int(mean_class), ("", "")) if not pd.isna(mean_class) else ("", "")
            _, _, good, worst = river_status(classes_)
            method = f"class of the mean of {len(group)} section(s): {class_name(mean_class)}"
        rows.append(
            {"river_zh": river, "period": period, "n_sections": len(group), "share_i_iii": good,
             "share_worse_v": worst, "status_zh": zh, "status_en": en, "method": method}
        )  # fmt: skip
    return rows
