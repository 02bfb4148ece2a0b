SELECT year, value, goal, status, edition FROM scoreboard WHERE target_id = :target_id ORDER BY year
