SELECT city, date, so2, no2, pm10, co, pm25, o3_8h, o3_1h, aqi, valid_day, edition, aqi_status
FROM air_city_day
WHERE date >= :first_date AND date <= :last_date
ORDER BY city, date
