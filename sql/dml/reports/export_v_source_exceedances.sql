-- Export of the view v_source_exceedances (python -m pipeline export v_source_exceedances): one year (parameter year, text 'YYYY'), or every year when ''.
SELECT * FROM v_source_exceedances
WHERE :year = '' OR substr(CAST(date AS TEXT), 1, 4) = :year
ORDER BY outlet_code, date, pollutant
