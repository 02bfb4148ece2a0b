-- O3 and PM2.5 hour by hour at a city's stations over one year, for the report's time profiles (v_air_station_hour;
-- one row per station, hour and pollutant): the natural days of the year, hour_end from 01 January 01:00 to the
-- next 01 January 00:00 (first_hour_end, last_hour_end).
SELECT station_code, hour_end, pollutant, value
FROM v_air_station_hour
WHERE city = :city AND pollutant IN ('o3', 'pm25') AND hour_end >= :first_hour_end AND hour_end <= :last_hour_end
ORDER BY station_code, hour_end, pollutant
