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

ANNUAL_AIR_STATISTICS: dict[str, Item] = {
    item.code: item
    for item in [
        Item("so2", "二氧化硫年均浓度", "SO2 annual mean", UGM3),
        Item("no2", "二氧化氮年均浓度", "NO2 annual mean", UGM3),
        Item("pm10", "PM10年均浓度", "PM10 annual mean", UGM3),
        Item("pm25", "PM2.5年均浓度", "PM2.5 annual mean", UGM3),
        Item("co", "一氧化碳24小时平均第95百分位数", "CO 24-h mean, 95th percentile", MGM3),
        Item("o3_8h", "臭氧日最大8小时平均第90百分位数", "O3 daily max 8-h mean, 90th percentile", UGM3),
    ]
}
"""The annual statistics judged against GB 3095 Table 1's annual limits (HJ 663-2013 Table 2), in the
order of the standard's table."""

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


MGL = "mg/L"

WATER_ITEMS: dict[str, Item] = {
    item.code: item
    for item in [
        Item("ph", "pH值", "pH", "1"),
        Item("do", "溶解氧", "Dissolved oxygen", MGL),
        Item("codmn", "高锰酸盐指数", "Permanganate index (CODMn)", MGL),
        Item("cod", "化学需氧量", "Chemical oxygen demand (COD)", MGL),
        Item("bod5", "五日生化需氧量", "5-day biochemical oxygen demand", MGL),
        Item("nh3n", "氨氮", "Ammonia nitrogen (NH3-N)", MGL),
        Item("tp", "总磷", "Total phosphorus (as P)", MGL),
        Item("tn", "总氮", "Total nitrogen (as N)", MGL),
        Item("cu", "铜", "Copper", MGL),
        Item("zn", "锌", "Zinc", MGL),
        Item("f", "氟化物", "Fluoride", MGL),
        Item("se", "硒", "Selenium", MGL),
        Item("as", "砷", "Arsenic", MGL),
        Item("hg", "汞", "Mercury", MGL),
        Item("cd", "镉", "Cadmium", MGL),
        Item("cr6", "六价铬", "Chromium (VI)", MGL),
        Item("pb", "铅", "Lead", MGL),
        Item("cn", "氰化物", "Cyanide", MGL),
        Item("phenol", "挥发酚", "Volatile phenols", MGL),
        Item("oil", "石油类", "Petroleum", MGL),
        Item("las", "阴离子表面活性剂", "Anionic surfactants (LAS)", MGL),
        Item("s2", "硫化物", "Sulfide", MGL),
        Item("fecal_coliform", "粪大肠菌群", "Fecal coliforms", "MPN/L"),
        Item("so4", "硫酸盐", "Sulfate", MGL),
        Item("cl", "氯化物", "Chloride", MGL),
        Item("no3n", "硝酸盐氮", "Nitrate (as N)", MGL),
        Item("fe", "铁", "Iron", MGL),
        Item("mn", "锰", "Manganese", MGL),
        Item("water_temp", "水温", "Water temperature", "degC"),
        Item("turbidity", "浊度", "Turbidity", "NTU"),
        Item("conductivity", "电导率", "Conductivity", "uS/cm"),
    ]
}
"""Water items: GB 3838-2002 Table 1 and Table 2, plus what automatic stations add."""

_WATER_ALIASES = {
    "ph值": "ph", "溶解氧": "do", "dissolved_oxygen": "do", "高锰酸盐指数": "codmn", "cod_mn": "codmn",
    "化学需氧量": "cod", "codcr": "cod", "五日生化需氧量": "bod5", "bod": "bod5", "氨氮": "nh3n", "nh3-n": "nh3n",
    "nh3_n": "nh3n", "总磷": "tp", "总氮": "tn", "铜": "cu", "锌": "zn", "氟化物": "f", "硒": "se", "砷": "as",
    "汞": "hg", "镉": "cd", "六价铬": "cr6", "铬(六价)": "cr6", "cr(vi)": "cr6", "铅": "pb", "氰化物": "cn",
    "挥发酚": "phenol", "volatile_phenol": "phenol", "石油类": "oil", "petroleum": "oil",
    "阴离子表面活性剂": "las", "硫化物": "s2", "粪大肠菌群": "fecal_coliform", "fc": "fecal_coliform",
    "硫酸盐": "so4", "氯化物": "cl", "硝酸盐": "no3n", "硝酸盐氮": "no3n", "no3-n": "no3n", "铁": "fe", "锰": "mn",
    "水温": "water_temp", "temperature": "water_temp", "温度": "water_temp", "浊度": "turbidity",
    "电导率": "conductivity",
}  # fmt: skip

WATER_UNIT_ALIASES = {
    "mg/l": MGL, "毫克/升": MGL, "ug/l": "ug/L", "µg/l": "ug/L", "μg/l": "ug/L", "微克/升": "ug/L",
    "mpn/l": "MPN/L", "个/l": "MPN/L", "1": "1", "无量纲": "1", "": "", "℃": "degC", "°c": "degC", "degc": "degC",
    "ntu": "NTU", "us/cm": "uS/cm", "µs/cm": "uS/cm", "μs/cm": "uS/cm", "ms/m": "mS/m",
}  # fmt: skip
WATER_UNIT_FACTORS = {("ug/L", MGL): 0.001, ("mS/m", "uS/cm"): 10.0}
"""Multiply a value in the first unit by the factor to express it in the second."""


def water_code(label: str) -> str | None:
    """Canonical water item code for a label (``NH3-N``, ``氨氮``, ``nh3n``), or None if unknown."""
    key = label.strip().lower().replace(" ", "")
    key = _WATER_ALIASES.get(key, key)
    return key if key in WATER_ITEMS else None


SOURCE_POLLUTANTS: dict[str, Item] = {
    item.code: item
    for item in [
        Item("cod", "化学需氧量", "COD", "t"),
        Item("nh3n", "氨氮", "NH3-N", "t"),
        Item("so2", "二氧化硫", "SO2", "t"),
        Item("nox", "氮氧化物", "NOx", "t"),
        Item("pb", "铅", "lead", "t"),
        Item("cd", "镉", "cadmium", "t"),
        Item("hg", "汞", "mercury", "t"),
        Item("as", "砷", "arsenic", "t"),
        Item("cr6", "六价铬", "chromium (VI)", "t"),
    ]
}
"""Pollutants whose emitted totals the plan caps or asks to reduce (811 plan, section 二; the caps of
``data/reference/source_caps_quzhou.csv``), with the unit of their totals."""


SOURCE_ITEMS: dict[str, Item] = {
    item.code: item
    for item in [
        Item("so2", "二氧化硫", "Sulphur dioxide", MGM3),
        Item("nox", "氮氧化物", "Nitrogen oxides (as NO2)", MGM3),
        Item("pm", "颗粒物", "Particulate matter", MGM3),
        Item("o2", "含氧量", "Oxygen content", "%"),
        Item("flow", "流量", "Flow", "m3/h"),
        Item("flue_temp", "烟气温度", "Flue-gas temperature", "degC"),
        Item("cod", "化学需氧量", "Chemical oxygen demand", MGL),
        Item("nh3n", "氨氮", "Ammonia nitrogen", MGL),
        Item("tp", "总磷", "Total phosphorus", MGL),
        Item("tn", "总氮", "Total nitrogen", MGL),
        Item("ph", "pH值", "pH", "1"),
        Item("hg", "汞", "Mercury", MGL),
        Item("cd", "镉", "Cadmium", MGL),
        Item("pb", "铅", "Lead", MGL),
        Item("as", "砷", "Arsenic", MGL),
        Item("cr6", "六价铬", "Chromium (VI)", MGL),
    ]
}
"""Items of pollution-source online monitoring (HJ 212 codes map to these, ``pipeline.ingest.hj212.CODES``),
with their usual unit (flue gas mg/m³, wastewater mg/L)."""


COLUMNS: dict[str, tuple[str, str]] = {
    # places and time
    "city": ("城市", "city"),
    "station_code": ("监测点编码", "station code"),
    "hour_end": ("时间(小时结束)", "hour-ending time"), "scope": ("范围", "scope (city or county)"), "county_zh": ("县(市、区)", "county"),
    "date": ("日期", "date (natural day)"), "month": ("月份", "month (YYYY-MM)"), "year": ("年份", "year"),
    "period": ("时段", "period (YYYY, YYYY-MM, or YYYY-01~MM for 1-N月)"),
    "period_kind": ("时段类型", "month, ytd (1-N月累计) or year"),
    # air
    "aqi": ("空气质量指数", "AQI"), "aqi_published": ("发布的AQI", "AQI as published (NULL when NA)"),
    "aqi_status": ("AQI发布状态", "AQI status (HJ 633-2026 5.3.1)"), "level": ("AQI级别", "AQI level (1-6)"),
    "category_zh": ("空气质量指数类别", "AQI category (Chinese)"), "category_en": ("类别(英文)", "AQI category (English)"),
    "primary_pollutant": ("首要污染物", "primary pollutant"), "is_good": ("是否优良", "good day (AQI <= 100)"),
    "valid_day": ("是否有效天", "valid day (all six daily statistics valid)"),
    "pm25": ("PM2.5日均浓度", "PM2.5 24-h mean (ug/m3)"), "pm10": ("PM10日均浓度", "PM10 24-h mean (ug/m3)"),
    "so2": ("二氧化硫日均浓度", "SO2 24-h mean (ug/m3)"), "no2": ("二氧化氮日均浓度", "NO2 24-h mean (ug/m3)"),
    "co": ("一氧化碳日均浓度", "CO 24-h mean (mg/m3)"), "o3_8h": ("臭氧日最大8小时平均", "O3 daily max 8-h mean (ug/m3)"),
    "n_stations": ("参与评价站点数", "evaluation stations"), "days": ("天数", "days"),
    "valid_days": ("有效天数", "valid days"), "good_days": ("优良天数", "good days"),
    "good_day_ratio_pct": ("优良天数比例(%)", "good-day ratio (%)"), "plan_target_pct": ("规划目标(%)", "plan target (%)"),
    "pollutant": ("污染物", "pollutant"), "grade_ii_limit": ("二级浓度限值", "Grade II limit in force"),
    "composite_index": ("环境空气质量综合指数", "composite index I_sum"),
    "previous_year_index": ("上年同期综合指数", "composite index a year before"),
    "change_pct": ("同比变化(%)", "change against a year before (%)"), "rank_in_period": ("排名", "rank (1 = cleanest)"),
    "scopes_ranked": ("参与排名数", "scopes ranked"), "single_indices": ("单项指数", "single-item indices"),
    "method": ("方法", "method"),
    # water
    "section_code": ("断面编码", "section code"), "name_zh": ("名称", "name"), "river_zh": ("河流", "river"),
    "waterbody": ("水体类型", "waterbody (river or lake)"), "is_qiantang_mainstream": ("是否钱塘江干流", "Qiantang main stream"),
    "drinking_source_level": ("饮用水源地级别", "drinking-water source level"), "kind": ("类型", "kind"),
    "n_samples": ("样品数", "samples"), "water_class": ("水质类别(数值)", "water class (1-6)"),
    "water_class_name": ("水质类别", "water class"), "target_class": ("目标类别", "target class"),
    "meets_target": ("是否达标", "meets its target"), "limiting_items": ("定类项目", "limiting items"),
    "exceedances": ("超标项目及倍数", "items over the target (multiple)"), "table2_ok": ("补充项目达标", "Table 2 items within limits"),
    # sources
    "outlet_code": ("排口编码", "outlet code"), "enterprise_zh": ("企业", "enterprise"), "outlet_zh": ("排口", "outlet"),
    "outlet_type": ("排口类型", "outlet type"), "key_source": ("是否重点污染源", "key source"),
    "mean": ("日均值", "daily mean (valid hours)"), "max_hour": ("最大小时值", "highest hourly value"),
    "limit_value": ("排放限值", "emission limit"), "basis": ("依据", "basis"), "exceed_hours": ("超标小时数", "hours over the limit"),
    "valid_hours": ("有效小时数", "valid hours"), "times_limit": ("超标倍数", "times the limit"), "standard": ("执行标准", "standard"),
    # indicators, targets, scoreboard
    "indicator": ("指标编码", "indicator code"), "domain": ("领域", "domain"), "rate_pct": ("达标率(%)", "rate (%)"),
    "target_pct": ("目标(%)", "target (%)"), "value": ("数值", "value"), "unit": ("单位", "unit"),
    "comparator": ("比较符", "comparator"), "target": ("目标值", "target"), "goal": ("目标值", "goal"),
    "status": ("状态", "status"), "data_complete": ("数据是否完整", "data complete"), "n": ("样本数", "count"),
    "detail": ("说明", "detail"), "edition": ("执行标准版本", "standards applied"), "target_id": ("目标编码", "target code"),
    "section": ("规划章节", "plan section"), "indicator_zh": ("指标", "indicator (Chinese)"),
    "indicator_en": ("指标(英文)", "indicator (English)"), "deadline": ("完成年限", "deadline"), "note": ("备注", "note"),
    "plan_text": ("规划原文", "plan text"),
    # coverage of a period (pipeline/indicators/coverage.py)
    "first_day": ("数据起始日", "first day with data"), "last_day": ("数据截止日", "last day with data"),
    "n_valid": ("有效数", "valid: days (air), section-months (water), outlet-months (sources)"),
    "n_expected": ("应有数", "expected by the standard, in the same unit"),
    "coverage": ("数据覆盖", "complete (judged met/missed) or ytd (1-N月累计, the period so far)"),
    "outlook": ("累计期研判", "a period so far: the at-risk rule and its result"),
    "previous_value": ("上年同期值", "同比: same period a year before (a year so far), else the year before"),
    "n_sections": ("断面数", "sections"),
    "share_i_iii": ("I~III类比例(%)", "share of classes I-III (%)"),
    "status_zh": ("水质状况", "status (Chinese)"),
    "status_en": ("状况(英文)", "status (English)"),
    "category": ("类别", "AQI category"),
    "measured_by": ("测量方式", "computed or a supplied statistic"),
    "baseline_year": ("基准年", "baseline year"),
    "source_indicator": ("计算指标", "computed indicator"),
    "department": ("牵头部门", "lead department"), "name_en": ("名称(英文)", "name (English)"),
    # city ranking (pipeline/indicators/ranking.py)
    "universe": ("排名范围编码", "rank universe code"), "universe_zh": ("排名范围", "rank universe"),
    "rank": ("排名", "rank (1 = best; empty: not ranked)"),
    "n_ranked": ("参与排名城市数", "cities ranked"), "n_members": ("范围内城市数", "cities of the universe"),
    "change": ("同比变化", "change against a year before (% or percentage points)"),
    "change_rank": ("变化程度排名", "rank by change of the composite index (most improved first)"),
    "eligible": ("是否参与排名", "ranked (its data meet the rule)"),
}  # fmt: skip
"""Every column an analyst sees (the views of ``sql/views/`` and the ``indicator`` table): its Chinese name and an
English description. The exports' headers (:mod:`pipeline.reports.exports`) and PostgreSQL's ``COMMENT ON
COLUMN`` of the views come from here; ``tests/test_consistency.py`` fails on a view column missing from it."""


VIEWS: dict[str, tuple[str, str]] = {
    "v_air_city_day": ("城市日空气质量", "daily city AQI and concentrations"),
    "v_air_station_day": ("站点日空气质量", "daily AQI of each station"),
    "v_air_station_hour": ("站点小时浓度", "hourly concentrations of each station"),
    "v_air_city_month_good_days": ("月优良天数比例", "monthly good-air-day ratio"),
    "v_air_annual_vs_grade_ii": ("年均浓度与二级标准", "annual concentrations against Grade II"),
    "v_air_composite_index": ("环境空气质量综合指数", "composite index, 同比 and rank"),
    "v_water_section_month": ("断面月水质类别", "monthly class of each water section"),
    "v_compliance_rates": ("达标率", "the plan's compliance rates"),
    "v_source_exceedances": ("污染源超标", "outlet-days over their emission limit"),
    "v_scoreboard": ("规划目标完成情况", "the 811 plan scoreboard"),
    "v_city_ranking": ("城市环境空气质量排名", "city ranking by composite index, PM2.5 and good-day ratio"),
}
"""The analysts' views (``sql/views/``) with their Chinese and English names: the exports' sheet names and the
first words of PostgreSQL's ``COMMENT ON VIEW``."""
