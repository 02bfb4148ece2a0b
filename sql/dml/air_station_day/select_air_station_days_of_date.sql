-- Every station-day of one date (those from hourly readings and those summarised at load).
SELECT * FROM air_station_day WHERE date = :date
