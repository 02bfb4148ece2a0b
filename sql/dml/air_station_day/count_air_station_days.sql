-- How many station-days one date has (from hourly readings and summarised at load).
SELECT COUNT(*) FROM air_station_day WHERE date = :date
