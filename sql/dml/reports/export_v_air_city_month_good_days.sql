-- Export of the view v_air_city_month_good_days (python -m pipeline export v_air_city_month_good_days): one year (parameter year, text 'YYYY'), or every year when ''.
SELECT * FROM v_air_city_month_good_days
WHERE :year = '' OR substr(CAST(month AS TEXT), 1, 4) = :year
ORDER BY city, month
