-- The year's 811 scoreboard for the analyst report (v_scoreboard; one row per target; year INTEGER).
SELECT target_id, section, indicator_zh, indicator_en, comparator, goal, value, unit, kind, deadline, status, note,
       basis, edition, coverage, first_day, last_day, n_valid, n_expected, previous_value
FROM v_scoreboard
WHERE year = :year
ORDER BY target_id
