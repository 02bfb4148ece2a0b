SELECT s.target_id, t.indicator_zh, t.indicator_en, t.section, s.value, t.comparator, s.goal, t.unit, t.kind,
       t.deadline, s.status, s.note, s.basis, s.edition,
       s.coverage, s.first_day, s.last_day, s.n_valid, s.n_expected, s.previous_value
FROM scoreboard AS s JOIN plan_target AS t ON t.id = s.target_id
WHERE s.year = :year ORDER BY s.target_id
