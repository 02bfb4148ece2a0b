-- The natural days of a date range (first_date, last_date) that have station-day air values, for
-- `recompute` (one row per day, in order; city-days are made from station-days).
SELECT DISTINCT date FROM air_station_day WHERE date >= :first_date AND date <= :last_date ORDER BY date
