-- v_scoreboard: the 811 plan scoreboard (目标完成情况). Grain: one row per plan target and year.
-- Question: "which of the plan's targets were met, missed or at risk in a year?"
-- status: met | missed | at_risk | no_data; `value` is what is compared with `goal` (a % change for
-- targets stated as a reduction from a baseline year).
DROP VIEW IF EXISTS v_scoreboard;
CREATE VIEW v_scoreboard AS
SELECT
    b.year,
    t.id                AS target_id,
    t.section,
    t.indicator_zh,
    t.indicator_en,
    t.comparator,
    b.goal,
    b.value,
    t.unit,
    t.kind,
    t.deadline,
    b.status,
    b.note,
    b.basis,
    b.edition,                                  -- standards behind a computed value ('' for supplied statistics)
    t.plan_text
FROM scoreboard b
JOIN plan_target t ON t.id = b.target_id;
