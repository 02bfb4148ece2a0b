-- Export of the computed indicators (python -m pipeline export indicators): one year and its months (parameter year, text
-- 'YYYY'), or every year when ''.
SELECT indicator, scope, period, value, unit, comparator, target, status, data_complete, n, detail, edition,
       first_day, last_day, n_valid, n_expected, coverage, outlook
FROM indicator
WHERE :year = '' OR substr(period, 1, 4) = :year
ORDER BY indicator, scope, period
