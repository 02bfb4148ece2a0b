SELECT year, value, goal, status FROM scoreboard WHERE target_id = :target_id ORDER BY year
