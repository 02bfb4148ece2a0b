DELETE FROM scoreboard WHERE year = :year
