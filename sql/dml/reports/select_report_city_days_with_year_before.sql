-- The city's days of the report year and of the year before (v_air_city_day), for the month reports' counts, worst
-- days and 同比. Dates compared as text 'YYYY-MM-DD' (previous_start, year_end).
SELECT city, date, month, aqi, category_zh, category_en, primary_pollutant, is_good, valid_day,
       pm25, pm10, so2, no2, co, o3_8h
FROM v_air_city_day
WHERE city = :city AND date >= :previous_start AND date <= :year_end
ORDER BY date
