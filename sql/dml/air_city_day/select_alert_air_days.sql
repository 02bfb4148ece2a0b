-- The polluted days behind an air alert (pipeline/plan/alerts.py): the city's valid days of the year with
-- AQI > 100, worst first. Grain: one row per day.
SELECT date, aqi, level, primary_pollutant
FROM air_city_day
WHERE city = :city AND date >= :first_date AND date <= :last_date AND valid_day AND aqi > 100
ORDER BY aqi DESC, date
