-- v_air_station_hour: hourly concentrations of each station (站点小时浓度). Grain: one row per station, hour and pollutant.
-- Question: "at what hour of the day and on which weekday are O3 and PM2.5 highest?" (the report's profiles, the
-- shape of openair's timeVariation). `hour_end` is hour-ending local time: 01:00 holds 00:00-01:00; a natural day
-- D holds D 01:00 to D+1 00:00 (GB 3095-2012 §3.11). Only the six measured pollutants (ug/m3; co mg/m3).
DROP VIEW IF EXISTS v_air_station_hour;
CREATE VIEW v_air_station_hour AS
SELECT
    h.station_code,
    s.name_zh,
    s.city_zh        AS city,
    h.hour_end,
    h.pollutant,
    h.value,
    h.unit
FROM air_hourly h
JOIN station s ON s.station_code = h.station_code
WHERE h.pollutant IN ('so2', 'no2', 'pm10', 'co', 'o3', 'pm25');
