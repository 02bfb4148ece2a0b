-- A load replaced the natural day's hourly readings: drop the day's station-days of stations that have no
-- hourly reading in it any more (the load then writes those it summarised; daily values the others).
DELETE FROM air_station_day
WHERE date = :date
  AND station_code NOT IN (
    SELECT DISTINCT station_code FROM air_hourly WHERE hour_end >= :window_start AND hour_end <= :window_end)
