-- Export of the view v_city_ranking (python -m pipeline export v_city_ranking): one year's months, 1-N月 and year (parameter year, text 'YYYY'), or every year when ''.
SELECT * FROM v_city_ranking
WHERE :year = '' OR substr(CAST(period AS TEXT), 1, 4) = :year
ORDER BY universe, period, indicator, rank IS NULL, rank, city
