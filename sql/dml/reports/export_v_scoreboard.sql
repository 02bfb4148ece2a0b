-- Export of the view v_scoreboard (python -m pipeline export v_scoreboard): one year (parameter year, text 'YYYY'), or every year when ''.
SELECT * FROM v_scoreboard
WHERE :year = '' OR substr(CAST(year AS TEXT), 1, 4) = :year
ORDER BY year, section, target_id
