-- One universe's ranking of one indicator in the periods of a year (parameters universe, indicator, year 'YYYY').
SELECT universe, period, period_kind, indicator, city, value, rank, n_ranked, n_members, previous_value, change,
       change_rank, valid_days, eligible, note
FROM city_ranking
WHERE universe = :universe AND indicator = :indicator AND substr(period, 1, 4) = :year
ORDER BY period, CASE WHEN rank IS NULL THEN 1 ELSE 0 END, rank, city
