"""HJ 633 health information: Table 2 of 2012, Tables 1 and 2 of 2026, as printed."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.indicators.health import (
    HEALTH_EFFECTS,
    MEASURES,
    SENSITIVE_GROUPS_2026,
    advice_text,
    health_effect,
    measures,
    sensitive_groups,
)


def test_six_levels_each_edition():
    for table in (HEALTH_EFFECTS, MEASURES):
        assert set(table) == {"2012", "2026"} and all(len(rows) == 6 for rows in table.values())


def test_2026_wording_differs_where_the_standard_changed_it():
    assert health_effect(3, "2012").startswith("易感人群") and health_effect(3, "2026").startswith("敏感人群")
    assert measures(3, "2026").startswith("青少年儿童、老年人及心血管系统疾病")
    assert measures(1, "2026") == measures(1, "2012") == "各类人群可正常活动"
    assert health_effect(6, "2026") == "健康人群运动耐受力降低，有明显强烈症状，提前出现某些疾病"


def test_sensitive_groups_only_for_pollutants_over_100_and_only_in_2026():
    groups = sensitive_groups({"pm25": 112.0, "pm10": 83.0, "o3_8h": 101.0, "so2": np.nan}, "2026")
    assert [p for p, _ in groups] == ["o3", "pm25"]
    assert dict(groups)["pm25"] == SENSITIVE_GROUPS_2026["pm10"]  # one merged cell in Table 2
    assert sensitive_groups({"pm25": 112.0}, "2012") == []


def test_advice_text_cites_its_tables():
    text = advice_text(3, "2026", {"pm25": 112.0})
    assert "（HJ 633-2026 表1）" in text and "敏感人群（HJ 633-2026 表2）：PM2.5：患有心血管系统疾病" in text
    assert "（HJ 633-2012 表2）" in advice_text(2, "2012")
    with pytest.raises(ValueError, match="AQI level must be 1-6"):
        advice_text(0, "2026")
