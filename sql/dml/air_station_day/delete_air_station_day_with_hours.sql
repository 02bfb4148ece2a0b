-- The natural day's station-days that are computed from the warehouse's hourly readings (stations with an
-- hourly reading in the day's window), before they are written again.
DELETE FROM air_station_day
WHERE date = :date
  AND station_code IN (
    SELECT DISTINCT station_code FROM air_hourly WHERE hour_end >= :window_start AND hour_end <= :window_end)
