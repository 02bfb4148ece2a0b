-- The water and source compliance rates (and the good-air-day ratio) of one year and its months (v_compliance_rates; one row per rate,
-- scope and period). year_text is 'YYYY'; periods are 'YYYY' or 'YYYY-MM'.
SELECT indicator, domain, scope, period, period_kind, rate_pct, comparator, target_pct, status, n, detail,
       first_day, last_day, n_valid, n_expected, coverage, outlook
FROM v_compliance_rates
WHERE domain IN ('water', 'sources', 'air') AND substr(period, 1, 4) = :year_text
ORDER BY domain, indicator, scope, period
