-- v_scoreboard: the 811 plan scoreboard (目标完成情况). Grain: one row per plan target and year.
-- Question: "which of the plan's targets were met, missed or at risk in a year?"
-- status: met | missed (a complete year) | at_risk | on_track | no_data | unjudged (a year over with too little data); `value` is what is compared with `goal`
-- (a % change for targets stated as a reduction from a baseline year). A computed value whose year is not complete
-- (`coverage` = ytd) is the year so far (1-N月累计): at_risk or on_track by the rule in `note`, never met/missed.
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
    b.coverage,                                 -- complete | ytd (1-N月累计, never met/missed) | '' (no value)
    b.first_day,                                -- first and last day with data of a computed value
    b.last_day,
    b.n_valid,                                  -- valid against expected (days, section-months, outlet-months)
    b.n_expected,
    b.previous_value,                           -- 同比: same period a year before (a year so far), else the year before
    t.plan_text
FROM scoreboard b
JOIN plan_target t ON t.id = b.target_id;
