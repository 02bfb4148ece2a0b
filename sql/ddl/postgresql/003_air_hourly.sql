-- PostgreSQL version of sql/ddl/003_air_hourly.sql: the same columns, partitioned by natural day on
-- hour_end (air_hourly_dYYYYMMDD holds (D 00:00, D+1 00:00]; partitions made on first use, a nightly day's
-- as a new table attached at commit: 000_partitions.sql). Keep the columns in step with that file.
-- Tuned for bulk loads (bench/results.md, "PostgreSQL load"): day partitions, so that a night's rows get
-- their primary key built in one pass over a new table; the key leads with hour_end, so a window's
-- DELETE/SELECT is a range scan of it and no separate hour_end index is needed; and no foreign key to
-- ingest_batch. The FK's per-row
-- trigger cost three times the rest of the load (1.2 M rows: 17.5 s with it, 5.4 s without). A
-- reading's batch row is written in the same transaction as the reading (pipeline/store/load.py), and a
-- test checks that every reading's batch exists.
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
    batch_id      VARCHAR(40) NOT NULL,        -- ingest_batch.batch_id (no FK on PostgreSQL: see above)
    PRIMARY KEY (hour_end, station_code, pollutant)
) PARTITION BY RANGE (hour_end);
