-- The years that have a stored 811 scoreboard (one row per year).
SELECT DISTINCT year FROM scoreboard ORDER BY year
