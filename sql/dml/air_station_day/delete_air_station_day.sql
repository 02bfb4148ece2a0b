DELETE FROM air_station_day WHERE date = :date
