SELECT date, aqi, category_zh, category_en, primary_pollutant, n_stations, valid_day
FROM air_city_day
WHERE city = :city AND date >= :first_date AND date <= :last_date
ORDER BY date
