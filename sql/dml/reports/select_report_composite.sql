-- The composite index of the report's year (v_air_composite_index): every scope's months and year, for the city's
-- table and chart and the year's ranking. Months compared as text 'YYYY-MM' (month_start, month_end).
SELECT scope, period, period_kind, composite_index, previous_year_index, change_pct, rank_in_period, scopes_ranked,
       data_complete, valid_days, single_indices
FROM v_air_composite_index
WHERE period = :year_text OR (period >= :month_start AND period <= :month_end)
ORDER BY period, rank_in_period, scope
