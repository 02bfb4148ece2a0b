-- The report year's city rankings (v_city_ranking): every universe, period (months, 1-N月, the year) and indicator.
SELECT universe, universe_zh, period, period_kind, indicator, city, value, rank, n_ranked, n_members, previous_value,
       change, change_rank, valid_days, note
FROM v_city_ranking
WHERE substr(period, 1, 4) = :year_text
ORDER BY universe, period, indicator, CASE WHEN rank IS NULL THEN 1 ELSE 0 END, rank, city
