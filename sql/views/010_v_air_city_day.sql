-- v_air_city_day: daily city AQI (城市日空气质量指数). Grain: one row per city and natural day.
-- Question: "what was the AQI in 衢州 on a day, its category and primary pollutant?"
-- Day D runs from D 01:00 to D+1 00:00 (GB 3095-2012 §3.11, natural day); concentrations are the
-- city means of the evaluation stations (HJ 663-2013 §4.1), AQI per the HJ 633 edition in force on the
-- date (`edition`: 2012 = HJ 633-2012 before 2026-03-01; 2026-transition / 2026 = HJ 633-2026 Table 3).
-- `aqi` is the computed value; `aqi_published` is what HJ 633-2026 5.3.1 lets be published (NULL = NA:
-- a pollutant missing and the others' AQI <= 100), `aqi_status` says which (published | NA | none).
-- `is_good` = computed AQI <= 100 (优 or 良); `valid_day` = all six daily statistics valid (GB 3095 Table 4):
-- only valid days count in the good-day ratio (HJ 663-2013), so an NA day never does.
DROP VIEW IF EXISTS v_air_city_day;
CREATE VIEW v_air_city_day AS
SELECT
    city,
    date,
    substr(CAST(date AS TEXT), 1, 7)             AS month,      -- YYYY-MM
    aqi,
    CASE WHEN aqi_status = 'published' THEN aqi END AS aqi_published,
    aqi_status,
    level,                                                       -- 1-6, HJ 633-2012 Table 2 = HJ 633-2026 Table 1
    category_zh,
    category_en,
    primary_pollutant,
    CASE WHEN aqi <= 100 THEN 1 ELSE 0 END       AS is_good,
    valid_day,
    pm25, pm10, so2, no2, co, o3_8h,                             -- ug/m3 (co: mg/m3)
    n_stations,
    edition
FROM air_city_day;
