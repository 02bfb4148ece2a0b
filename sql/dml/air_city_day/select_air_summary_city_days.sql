-- A city's daily AQI for a date range (summaries; one row per day), with the IAQIs for the health text.
SELECT date, aqi, aqi_status, level, category_zh, category_en, primary_pollutant, n_stations, valid_day, edition,
       iaqi_so2, iaqi_no2, iaqi_co, iaqi_o3_8h, iaqi_o3_1h, iaqi_pm10, iaqi_pm25
FROM air_city_day
WHERE city = :city AND date >= :first_date AND date <= :last_date
ORDER BY date
