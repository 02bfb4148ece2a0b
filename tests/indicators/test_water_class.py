"""GB 3838-2002 classes: every boundary of Table 1 (golden file), DO and pH, river vs lake TP, the
officially published classes reproduced, and the national method's status wording."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from pipeline.indicators.water_class import (
    GB3838_2002_TABLE1,
    class_name,
    classify,
    item_class,
    parse_class,
    river_status,
    table2_compliant,
)
from tests.conftest import golden

TABLE = golden("gb3838_2002_table1.csv")
CODES = {"pH": "ph", "DO": "do", "CODMn": "codmn", "COD": "cod", "BOD5": "bod5", "NH3_N": "nh3n", "TP": "tp",
         "TP_lake": "tp_lake", "TN": "tn", "Cu": "cu", "Zn": "zn", "F": "f", "Se": "se", "As": "as", "Hg": "hg",
         "Cd": "cd", "Cr6": "cr6", "Pb": "pb", "CN": "cn", "VPhen": "phenol", "Oil": "oil", "LAS": "las", "S2": "s2",
         "FC": "fecal_coliform"}  # fmt: skip


def test_module_table_equals_golden_table():
    for row in TABLE.itertuples(index=False):
        ours = GB3838_2002_TABLE1.loc[CODES[row.item_code]]
        assert ours[["I", "II", "III", "IV", "V"]].astype(float).tolist() == [float(v) for v in row[1:6]], row.item_code
        assert ours["direction"] == row.direction


def _boundary_cases():
    """At each class limit, and one step beyond it on the worse side, for every max/min item."""
    for row in TABLE.itertuples(index=False):
        if row.direction == "range":
            continue
        code = CODES[row.item_code]
        item, body = ("tp", "lake") if code == "tp_lake" else (code, "river")
        limits = [Decimal(str(v)) for v in row[1:6]]
        for limit in limits:
            best = min(j for j, v in enumerate(limits, start=1) if v == limit)  # shared limits: best class
            step = limit / 100
            beyond = limit + step if row.direction == "max" else limit - step
            worse = next(
                (j for j, v in enumerate(limits, start=1) if (beyond <= v if row.direction == "max" else beyond >= v)),
                6,
            )
            yield pytest.param(item, body, float(limit), best, id=f"{code}@{limit}")
            yield pytest.param(
                item, body, float(beyond), worse, id=f"{code}@{limit}{'+' if row.direction == 'max' else '-'}"
            )


@pytest.mark.parametrize("item,body,value,expected", list(_boundary_cases()))
def test_every_class_boundary(item, body, value, expected):
    assert item_class([value], item, body)[0] == expected


@pytest.mark.parametrize(
    "item,body,value,expected",
    [
        ("do", "river", 7.5, 1), ("do", "river", 7.49, 2), ("do", "river", 2.0, 5), ("do", "river", 1.99, 6),
        ("cod", "river", 15, 1), ("cod", "river", 15.1, 3),  # classes I and II share 15: the best is taken
        ("tp", "river", 0.05, 2), ("tp", "lake", 0.05, 3),  # lakes and reservoirs: stricter TP
        ("tp", "river", 0.4, 5), ("tp", "lake", 0.4, 6),
        ("ph", "river", 6.0, 1), ("ph", "river", 9.0, 1), ("ph", "river", 5.99, 6), ("ph", "river", 9.01, 6),
        ("hg", "river", 0.00005, 1), ("hg", "river", 0.00006, 3), ("nh3n", "river", 2.01, 6),
    ],
)  # fmt: skip
def test_literal_cases(item, body, value, expected):
    assert item_class([value], item, body)[0] == expected


def test_missing_value_has_no_class():
    assert np.isnan(item_class([np.nan], "do")[0])


def test_sample_class_is_the_worst_item_with_its_limiting_items_and_exceedance():
    frame = pd.DataFrame(
        {"ph": [7.2], "do": [6.5], "codmn": [4.5], "nh3n": [1.6], "tp": [0.31], "tn": [9.0], "fecal_coliform": [1e6]}
    )
    out = classify(frame, target_class=pd.Series([3]))
    assert out.loc[0, "water_class"] == 5 and out.loc[0, "water_class_name"] == "V"
    assert out.loc[0, "limiting_items"] == "nh3n;tp"  # TN and coliform are not assessed for rivers
    assert not out.loc[0, "meets_target"]
    assert out.loc[0, "exceedances"] == "nh3n=0.60;tp=0.55"  # (1.6-1.0)/1.0, (0.31-0.2)/0.2


def test_class_i_has_no_limiting_item_and_meets_its_target():
    out = classify(pd.DataFrame({"do": [8.0], "codmn": [1.5]}), target_class=pd.Series([2]))
    assert out.loc[0, "water_class_name"] == "I" and out.loc[0, "limiting_items"] == "" and out.loc[0, "meets_target"]


def test_no_target_leaves_meets_target_empty_and_exceedance_against_class_iii():
    out = classify(pd.DataFrame({"nh3n": [1.2]}))
    assert pd.isna(out.loc[0, "meets_target"]) and out.loc[0, "exceedances"] == "nh3n=0.20"


def test_table2_items_for_drinking_sources():
    assert table2_compliant(pd.DataFrame({"fe": [0.3, 0.31], "mn": [0.05, 0.05]})).tolist() == [True, False]


@pytest.mark.parametrize(
    "text,number", [("Ⅱ", 2), ("II", 2), ("劣Ⅴ", 6), ("劣V", 6), ("III类", 3), ("", None), ("VI", None)]
)
def test_parse_class(text, number):
    result = parse_class(text)
    assert (np.isnan(result) and number is None) or result == number
    if number:
        assert parse_class(class_name(number)) == number


@pytest.mark.parametrize(
    "classes,status",
    [([1, 2, 3, 3, 3, 3, 3, 3, 3, 4], "优"), ([3, 3, 3, 3, 4], "良好"), ([3, 4, 4, 4, 5], "轻度污染"),
     ([3, 4, 6, 4, 5], "中度污染"), ([3, 6, 6, 4, 5], "重度污染")],
)  # fmt: skip
def test_river_status_by_class_shares(classes, status):
    assert river_status(classes)[0] == status


def test_reproduces_published_national_weekly_classes():
    table = golden("published_water_national_auto_weekly_2007w02_partial.csv")
    frame = table.rename(columns={"pH": "ph", "DO_mg_L": "do", "CODMn_mg_L": "codmn", "NH3N_mg_L": "nh3n"})
    out = classify(frame)
    assert out["water_class"].tolist() == table["class_this_week"].map(parse_class).tolist()


def test_reproduces_published_shanghai_classes_with_tn_excluded():
    table = golden("published_water_shanghai_district_sections_2024-02.csv")
    frame = table.rename(
        columns={
            "pH": "ph",
            "DO_mg_L": "do",
            "CODMn_mg_L": "codmn",
            "COD_mg_L": "cod",
            "BOD5_mg_L": "bod5",
            "NH3N_mg_L": "nh3n",
            "TP_mg_L": "tp",
            "TN_mg_L": "tn",
            "volatile_phenol_mg_L": "phenol",
            "petroleum_mg_L": "oil",
        }  # fmt: skip
    )
    out = classify(frame, target_class=table["target_class"].map(parse_class))
    assert out["water_class"].tolist() == table["official_class_single_factor"].map(parse_class).tolist()
    assert out["meets_target"].all()
