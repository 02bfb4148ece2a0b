-- Export of the view v_air_station_day (python -m pipeline export v_air_station_day): one year (parameter year, text 'YYYY'), or every year when ''.
SELECT * FROM v_air_station_day
WHERE :year = '' OR substr(CAST(date AS TEXT), 1, 4) = :year
ORDER BY station_code, date
