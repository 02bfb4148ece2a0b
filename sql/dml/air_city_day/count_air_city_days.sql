-- How many city-days one natural day has (the 11:00 deadline check; one row).
SELECT COUNT(*) FROM air_city_day WHERE date = :date
