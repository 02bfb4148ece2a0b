-- 001: HJ 633-2026 publication status and the edition on the scoreboard (issue 12).
-- aqi_status: published | NA (HJ 633-2026 5.3.1: a pollutant missing and the AQI of the others <= 100)
-- | none (no AQI). Rows written before this migration were all computed with HJ 633-2012 tables.
-- `python -m pipeline recompute --from 2026-03-01` then recomputes the days from 2026-03-01.
ALTER TABLE air_station_day ADD COLUMN aqi_status VARCHAR(9) NOT NULL DEFAULT 'published';
ALTER TABLE air_city_day ADD COLUMN aqi_status VARCHAR(9) NOT NULL DEFAULT 'published';
UPDATE air_station_day SET aqi_status = 'none' WHERE aqi IS NULL;
UPDATE air_city_day SET aqi_status = 'none' WHERE aqi IS NULL;
ALTER TABLE scoreboard ADD COLUMN edition TEXT NOT NULL DEFAULT '';
