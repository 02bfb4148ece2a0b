-- A window's stored readings, to compare with a re-run's (the audit in reading_change).
SELECT station_code, hour_end, pollutant, value, batch_id
FROM air_hourly
WHERE hour_end >= :window_start AND hour_end <= :window_end
