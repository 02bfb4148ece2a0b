"""Health information of each AQI level and the sensitive groups of each pollutant (HJ 633).

Text as printed in the official standards (copies read from caiyunapp/aqi-hub ``docs/`` at commit
82b4808a; wrapped lines joined, punctuation as printed):

* HJ 633-2012, Table 2 (空气质量指数及相关信息), PDF sha256 6522f3df…6e3d (printed page 3);
* HJ 633-2026, Table 1 (空气质量指数及相关信息) and Table 2 (空气污染物的敏感人群, new in 2026),
  PDF sha256 a71ff69e…74e3 (a scan without a text layer: transcribed by eye at 300 dpi).

The 2012 row 151-200 prints "户外锻练" (sic) where the row above has "锻炼"; kept as printed.
"""

from __future__ import annotations

import numpy as np

HEALTH_EFFECTS: dict[str, tuple[str, ...]] = {
    "2012": (
        "空气质量令人满意，基本无空气污染",
        "空气质量可接受，但某些污染物可能对极少数异常敏感人群健康有较弱影响",
        "易感人群症状有轻度加剧，健康人群出现刺激症状",
        "进一步加剧易感人群症状，可能对健康人群心脏、呼吸系统有影响",
        "心脏病和肺病患者症状显著加剧，运动耐受力降低，健康人群普遍出现症状",
        "健康人群运动耐受力降低，有明显强烈症状，提前出现某些疾病",
    ),
    "2026": (
        "空气质量令人满意，基本无空气污染",
        "空气质量可接受，但某些污染物可能对极少数异常敏感人群健康有较弱影响",
        "敏感人群症状有轻度加剧，健康人群出现刺激症状",
        "进一步加剧敏感人群症状，可能对健康人群心血管系统、呼吸系统有影响",
        "心血管系统和呼吸系统患者症状显著加剧，运动耐受力降低，健康人群普遍出现症状",
        "健康人群运动耐受力降低，有明显强烈症状，提前出现某些疾病",
    ),
}
"""对健康影响情况 for AQI levels 1-6: HJ 633-2012 Table 2; HJ 633-2026 Table 1."""

MEASURES: dict[str, tuple[str, ...]] = {
    "2012": (
        "各类人群可正常活动",
        "极少数异常敏感人群应减少户外活动",
        "儿童、老年人及心脏病、呼吸系统疾病患者应减少长时间、高强度的户外锻炼",
        "儿童、老年人及心脏病、呼吸系统疾病患者避免长时间、高强度的户外锻练，一般人群适量减少户外运动",
        "儿童、老年人和心脏病、肺病患者应停留在室内，停止户外运动，一般人群减少户外运动",
        "儿童、老年人和病人应当留在室内，避免体力消耗，一般人群应避免户外活动",
    ),
    "2026": (
        "各类人群可正常活动",
        "极少数异常敏感人群应减少户外活动",
        "青少年儿童、老年人及心血管系统疾病、呼吸系统疾病患者应减少长时间、高强度的户外锻炼",
        "青少年儿童、老年人及心血管系统疾病、呼吸系统疾病患者避免长时间、高强度的户外锻炼，一般人群适量减少户外运动",
        "青少年儿童、老年人和心血管系统疾病、呼吸系统疾病患者应停留在室内，停止户外运动，一般人群减少户外运动",
        "青少年儿童、老年人和病人应当留在室内，避免体力消耗，一般人群应避免户外活动",
    ),
}
"""建议采取的措施 for AQI levels 1-6: HJ 633-2012 Table 2; HJ 633-2026 Table 1."""

_PM_GROUPS = "患有心血管系统疾病或呼吸系统疾病（如哮喘）的人、青少年儿童、户外活动频繁的人以及老年人"

SENSITIVE_GROUPS_2026: dict[str, str] = {
    "so2": "患有哮喘的人、青少年儿童以及老年人",
    "no2": "患有呼吸系统疾病（如哮喘）的人、青少年儿童以及老年人",
    "co": "患有心血管系统疾病的人",
    "o3": "患有呼吸系统疾病（如哮喘）的人、青少年儿童、户外活动频繁的人以及老年人",
    "pm10": _PM_GROUPS,
    "pm25": _PM_GROUPS,
}
"""HJ 633-2026, Table 2: the sensitive groups to whom measures are addressed when the pollutant's IAQI
exceeds 100 (PM10 and PM2.5 share one cell). HJ 633-2012 has no such table."""

POLLUTANT_ZH = {"so2": "二氧化硫", "no2": "二氧化氮", "co": "一氧化碳", "o3": "臭氧", "pm10": "PM10", "pm25": "PM2.5"}


def _row(level: int) -> int:
    if not 1 <= int(level) <= 6:
        raise ValueError(f"AQI level must be 1-6, not {level!r}")
    return int(level) - 1


def health_effect(level: int, edition: str) -> str:
    """对健康影响情况 of an AQI level (1-6) under an HJ 633 edition (``2012`` or ``2026``)."""
    return HEALTH_EFFECTS[edition][_row(level)]


def measures(level: int, edition: str) -> str:
    """建议采取的措施 of an AQI level (1-6) under an HJ 633 edition."""
    return MEASURES[edition][_row(level)]


def sensitive_groups(iaqis: dict[str, float], edition: str) -> list[tuple[str, str]]:
    """(pollutant, groups) for each pollutant whose IAQI exceeds 100 (HJ 633-2026 Table 2), in the
    table's order; ``iaqis`` keyed ``so2, no2, co, o3_8h/o3_1h/o3, pm10, pm25``. Empty under 2012."""
    if edition != "2026":
        return []
    over = set()
    for key, value in iaqis.items():
        if value is not None and not (isinstance(value, float) and np.isnan(value)) and value > 100:
            over.add("o3" if key.startswith("o3") else key)
    return [(p, SENSITIVE_GROUPS_2026[p]) for p in SENSITIVE_GROUPS_2026 if p in over]


def advice_text(level: int, edition: str, iaqis: dict[str, float] | None = None) -> str:
    """One paragraph for readers: the level's health effects and measures, then (2026) the sensitive
    groups of each pollutant over IAQI 100. Cites the table it quotes."""
    table = "HJ 633-2026 表1" if edition == "2026" else "HJ 633-2012 表2"
    text = f"对健康影响情况：{health_effect(level, edition)}；建议采取的措施：{measures(level, edition)}（{table}）。"
    groups = sensitive_groups(iaqis or {}, edition)
    if groups:
        named = "；".join(f"{POLLUTANT_ZH[p]}：{g}" for p, g in groups)
        text += f"敏感人群（HJ 633-2026 表2）：{named}。"
    return text
