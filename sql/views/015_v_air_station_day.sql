-- v_air_station_day: daily AQI of each monitoring station (站点日空气质量). Grain: one row per station and natural day.
-- Question: "which of 衢州's stations had the polluted days, and when?" (the report's station calendars).
-- Same rules as v_air_city_day (HJ 633 edition of the date, GB 3095 Table 4 validity), for one station.
DROP VIEW IF EXISTS v_air_station_day;
CREATE VIEW v_air_station_day AS
SELECT
    d.station_code,
    s.name_zh,
    s.city_zh                                    AS city,
    d.date,
    substr(CAST(d.date AS TEXT), 1, 7)           AS month,
    d.aqi,
    CASE WHEN d.aqi_status = 'published' THEN d.aqi END AS aqi_published,
    d.aqi_status,
    d.level,
    d.category_zh,
    d.category_en,
    d.primary_pollutant,
    d.valid_day,
    d.pm25, d.pm10, d.so2, d.no2, d.co, d.o3_8h,
    d.edition
FROM air_station_day d
JOIN station s ON s.station_code = d.station_code;
