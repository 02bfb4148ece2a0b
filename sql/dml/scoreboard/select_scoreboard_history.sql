SELECT year, value, goal, status, note, edition, coverage, first_day, last_day, n_valid, n_expected, previous_value
FROM scoreboard WHERE target_id = :target_id ORDER BY year
