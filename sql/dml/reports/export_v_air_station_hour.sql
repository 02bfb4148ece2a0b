-- Export of the view v_air_station_hour (python -m pipeline export v_air_station_hour): one year (parameter year, text 'YYYY'), or every year when ''.
SELECT * FROM v_air_station_hour
WHERE :year = '' OR substr(CAST(hour_end AS TEXT), 1, 4) = :year
ORDER BY station_code, hour_end, pollutant
