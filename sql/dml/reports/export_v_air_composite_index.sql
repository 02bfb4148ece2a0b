-- Export of the view v_air_composite_index (python -m pipeline export v_air_composite_index): one year (parameter year, text 'YYYY'), or every year when ''.
SELECT * FROM v_air_composite_index
WHERE :year = '' OR substr(CAST(period AS TEXT), 1, 4) = :year
ORDER BY period, rank_in_period, scope
