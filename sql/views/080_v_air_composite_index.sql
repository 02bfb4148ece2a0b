-- v_air_composite_index: 环境空气质量综合指数 (I_sum) of each city, month and year, with its 同比 and rank.
-- Grain: one row per scope (city) and period (YYYY or YYYY-MM).
-- Question: "how clean was 衢州's air this month or year, against the same period last year, and where does it
-- rank among the scopes of the warehouse?" Method: the city-ranking rules restated by 环办监测〔2018〕19号
-- (pipeline/indicators/composite.py): I_sum = SO2/60 + NO2/40 + PM10/70 + PM2.5/35 + CO_p95/4 + O3_8h_p90/160,
-- S_i the GB 3095-2012 Grade II limits for every year; smaller is cleaner. change_pct = (I_sum - I_sum of the same
-- period a year before) / that x 100, SQL ROUND to one decimal (> 0 worse, < 0 better). rank_in_period: 1 =
-- cleanest among the periods with complete data (GB 3095 Table 4 capture); equal values share a rank; NULL for
-- a period whose data are not complete, which is not ranked.
DROP VIEW IF EXISTS v_air_composite_index;
CREATE VIEW v_air_composite_index AS
SELECT
    c.scope,
    c.period,
    CASE WHEN length(c.period) = 4 THEN 'year' ELSE 'month' END           AS period_kind,
    c.value                                                               AS composite_index,
    p.value                                                               AS previous_year_index,
    ROUND(CAST(100.0 * (c.value - p.value) / p.value AS NUMERIC), 1)      AS change_pct,
    CASE WHEN c.data_complete
         THEN RANK() OVER (PARTITION BY c.period, c.data_complete ORDER BY c.value) END AS rank_in_period,
    SUM(CASE WHEN c.data_complete THEN 1 ELSE 0 END) OVER (PARTITION BY c.period)  AS scopes_ranked,
    c.data_complete,
    c.n                                                                   AS valid_days,
    c.detail                                                              AS single_indices,
    c.edition                                                             AS method,
    c.first_day,                                                          -- first and last day with data
    c.last_day,
    c.n_expected,                                                         -- days of the period (valid_days of them)
    c.coverage                                                            -- complete | ytd (the period so far)
FROM indicator c
LEFT JOIN indicator p
       ON p.indicator = c.indicator AND p.scope = c.scope AND p.value <> 0
      AND p.period = CAST(CAST(substr(c.period, 1, 4) AS INTEGER) - 1 AS TEXT) || substr(c.period, 5)
WHERE c.indicator = 'air.composite_index' AND c.value IS NOT NULL;
