-- A scope's composite index with its 同比 and rank (view v_air_composite_index), for the summaries.
SELECT period, composite_index, previous_year_index, change_pct, rank_in_period, scopes_ranked
FROM v_air_composite_index
WHERE scope = :scope
ORDER BY period
