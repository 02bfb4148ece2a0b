-- PostgreSQL version of sql/ddl/003_air_hourly.sql: the same table, partitioned by month on hour_end
-- (partitions made on first use: 000_partitions.sql). Keep the columns in step with that file.
-- Hourly air readings in long form. Grain: one row per station, hour and item.
-- hour_end is the END of the hour, local time Asia/Shanghai (UTC+8, no DST); a natural day D is
-- hour_end in (D 00:00, D+1 00:00]. Items: the six measured pollutants (so2 no2 pm10 co o3 pm25)
-- and the values the national platform publishes beside them (aqi, *_24h, o3_8h, o3_8h_24h).
CREATE TABLE IF NOT EXISTS air_hourly (
    station_code  VARCHAR(16) NOT NULL,
    hour_end      TIMESTAMP NOT NULL,
    pollutant     VARCHAR(16) NOT NULL,
    value         DOUBLE PRECISION NOT NULL,   -- in `unit`
    unit          TEXT NOT NULL,               -- ug/m3, mg/m3 (CO) or 1 (AQI)
    flag          TEXT NOT NULL DEFAULT '',
    batch_id      VARCHAR(40) NOT NULL REFERENCES ingest_batch (batch_id),
    PRIMARY KEY (station_code, hour_end, pollutant)
) PARTITION BY RANGE (hour_end);
CREATE INDEX IF NOT EXISTS air_hourly_hour_end ON air_hourly (hour_end);
