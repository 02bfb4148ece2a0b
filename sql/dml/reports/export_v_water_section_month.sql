-- Export of the view v_water_section_month (python -m pipeline export v_water_section_month): one year (parameter year, text 'YYYY'), or every year when ''.
SELECT * FROM v_water_section_month
WHERE :year = '' OR substr(CAST(month AS TEXT), 1, 4) = :year
ORDER BY section_code, month, kind
