DELETE FROM air_city_day WHERE date = :date
