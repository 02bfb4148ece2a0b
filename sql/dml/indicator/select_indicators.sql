SELECT indicator, scope, period, value, unit, comparator, target, status, data_complete, n, detail, edition,
       first_day, last_day, n_valid, n_expected, coverage, outlook
FROM indicator
WHERE (CAST(:year AS VARCHAR(4)) IS NULL OR period = :year OR period LIKE :months)
ORDER BY indicator, scope, period
