-- The daily AQI of each of a city's stations over one year, for the report's station calendars (v_air_station_day;
-- one row per station and day). Dates compared as text 'YYYY-MM-DD' (year_start, year_end).
SELECT station_code, name_zh, date, aqi, level, valid_day
FROM v_air_station_day
WHERE city = :city AND date >= :year_start AND date <= :year_end
ORDER BY station_code, date
