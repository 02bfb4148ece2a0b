-- Export of the view v_compliance_rates (python -m pipeline export v_compliance_rates): one year (parameter year, text 'YYYY'), or every year when ''.
SELECT * FROM v_compliance_rates
WHERE :year = '' OR substr(CAST(period AS TEXT), 1, 4) = :year
ORDER BY indicator, scope, period
