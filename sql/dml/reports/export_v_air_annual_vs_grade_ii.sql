-- Export of the view v_air_annual_vs_grade_ii (python -m pipeline export v_air_annual_vs_grade_ii): one year (parameter year, text 'YYYY'), or every year when ''.
SELECT * FROM v_air_annual_vs_grade_ii
WHERE :year = '' OR substr(CAST(year AS TEXT), 1, 4) = :year
ORDER BY city, year, pollutant
