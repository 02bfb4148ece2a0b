-- A city's daily AQI over one year for the report's calendar (v_air_city_day; one row per day).
-- Dates compared as text 'YYYY-MM-DD' (year_start, year_end).
SELECT date, aqi, aqi_status, level, category_zh, category_en, primary_pollutant, valid_day, edition
FROM v_air_city_day
WHERE city = :city AND date >= :year_start AND date <= :year_end
ORDER BY date
