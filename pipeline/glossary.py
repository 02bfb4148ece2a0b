"""One glossary of canonical names: code, Chinese name, English name, unit.

Every ingest module maps its source's labels to these codes once; everything downstream sees
only these codes (STYLE.md, convention 2).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    code: str
    name_zh: str
    name_en: str
    unit: str
    description: str = ""


UGM3 = "ug/m3"
MGM3 = "mg/m3"

AIR_ITEMS: dict[str, Item] = {
    item.code: item
    for item in [
        Item("so2", "二氧化硫", "Sulphur dioxide, 1-h mean", UGM3),
        Item("no2", "二氧化氮", "Nitrogen dioxide, 1-h mean", UGM3),
        Item("pm10", "颗粒物(PM10)", "Particulate matter ≤ 10 µm, 1-h mean", UGM3),
        Item("co", "一氧化碳", "Carbon monoxide, 1-h mean", MGM3),
        Item("o3", "臭氧", "Ozone, 1-h mean", UGM3),
        Item("pm25", "细颗粒物(PM2.5)", "Particulate matter ≤ 2.5 µm, 1-h mean", UGM3),
        # Values the national platform publishes beside the measurements (derived, kept as read).
        Item("aqi", "空气质量指数(发布值)", "AQI as published (real-time)", "1"),
        Item("so2_24h", "二氧化硫24小时滑动平均", "SO2 24-h moving mean, published", UGM3),
        Item("no2_24h", "二氧化氮24小时滑动平均", "NO2 24-h moving mean, published", UGM3),
        Item("pm10_24h", "PM10 24小时滑动平均", "PM10 24-h moving mean, published", UGM3),
        Item("co_24h", "一氧化碳24小时滑动平均", "CO 24-h moving mean, published", MGM3),
        Item("pm25_24h", "PM2.5 24小时滑动平均", "PM2.5 24-h moving mean, published", UGM3),
        Item("o3_24h", "臭氧24小时内最大1小时", "O3 max 1-h over the last 24 h, published", UGM3),
        Item("o3_8h", "臭氧8小时滑动平均", "O3 8-h moving mean, published", UGM3),
        Item("o3_8h_24h", "臭氧24小时内最大8小时", "O3 max 8-h over the last 24 h, published", UGM3),
    ]
}
"""Hourly air items, as stored in ``air_hourly.pollutant``."""

MEASURED_AIR_POLLUTANTS = ("so2", "no2", "pm10", "co", "o3", "pm25")
"""The six pollutants measured each hour (GB 3095-2012, Table 1 basic items)."""

DAILY_AIR_STATISTICS: dict[str, Item] = {
    item.code: item
    for item in [
        Item("so2", "二氧化硫24小时平均", "SO2 24-h mean", UGM3),
        Item("no2", "二氧化氮24小时平均", "NO2 24-h mean", UGM3),
        Item("pm10", "PM10 24小时平均", "PM10 24-h mean", UGM3),
        Item("co", "一氧化碳24小时平均", "CO 24-h mean", MGM3),
        Item("pm25", "PM2.5 24小时平均", "PM2.5 24-h mean", UGM3),
        Item("o3_8h", "臭氧日最大8小时平均", "O3 daily maximum 8-h mean", UGM3),
        Item("o3_1h", "臭氧日最大1小时平均", "O3 daily maximum 1-h mean", UGM3),
    ]
}
"""Station-day and city-day statistics (HJ 633-2012 daily report items)."""

# Labels seen in sources -> canonical code. Case-insensitive lookups go through ``air_code``.
_AIR_ALIASES = {
    "pm2.5": "pm25",
    "pm2_5": "pm25",
    "pm2.5_24h": "pm25_24h",
    "pm2_5_24h": "pm25_24h",
    "o3_1h": "o3",
}

UNIT_ALIASES = {
    "ug/m3": UGM3,
    "µg/m³": UGM3,
    "μg/m³": UGM3,
    "µg/m3": UGM3,
    "μg/m3": UGM3,
    "ug/m³": UGM3,
    "mg/m3": MGM3,
    "mg/m³": MGM3,
}
UNIT_FACTORS = {(UGM3, MGM3): 0.001, (MGM3, UGM3): 1000.0}
"""Multiply a value in the first unit by the factor to express it in the second."""


def air_code(label: str) -> str | None:
    """Canonical air item code for a source label (``PM2.5`` -> ``pm25``), or None if unknown."""
    key = label.strip().lower()
    key = _AIR_ALIASES.get(key, key)
    return key if key in AIR_ITEMS else None
