-- v_air_composite_index: 环境空气质量综合指数 (I_sum) of each city, month and year, with 同比 and rank in Zhejiang.
-- Grain: one row per scope (city) and period (YYYY or YYYY-MM).
-- Question: "how clean was 衢州's air this month or year, against the same period last year, and where does it
-- rank in Zhejiang?" Method: the city-ranking rules restated by 环办监测〔2018〕19号 (pipeline/indicators/composite.py):
-- I_sum = SO2/60 + NO2/40 + PM10/70 + PM2.5/35 + CO_p95/4 + O3_8h_p90/160, S_i the GB 3095-2012 Grade II limits for
-- every year; smaller is cleaner. Every figure is computed once, in Python, and stored: the index in table
-- indicator (air.composite_index), its 同比 and rank in table city_ranking (pipeline/indicators/ranking.py,
-- universe zhejiang_11); this view only joins them. change_pct = (I_sum - I_sum of the same period a year before)
-- / that x 100, one decimal (GB/T 8170, > 0 worse, < 0 better); rank_in_period: 1 = cleanest of the Zhejiang cities
-- ranked in the period, equal values sharing a rank; NULL for a city outside the 11 (义乌, 临安 ...) or not ranked
-- (its reason in v_city_ranking.note). The ministry's 168-city ranking and the 1-N月 periods: v_city_ranking.
DROP VIEW IF EXISTS v_air_composite_index;
CREATE VIEW v_air_composite_index AS
SELECT
    c.scope,
    c.period,
    CASE WHEN length(c.period) = 4 THEN 'year' ELSE 'month' END           AS period_kind,
    c.value                                                               AS composite_index,
    r.previous_value                                                      AS previous_year_index,
    r.change                                                              AS change_pct,
    r.rank                                                                AS rank_in_period,  -- among Zhejiang's 11
    r.n_ranked                                                            AS scopes_ranked,
    c.data_complete,
    c.n                                                                   AS valid_days,
    c.detail                                                              AS single_indices,
    c.edition                                                             AS method,
    c.first_day,                                                          -- first and last day with data
    c.last_day,
    c.n_expected,                                                         -- days of the period (valid_days of them)
    c.coverage                                                            -- complete | ytd (the period so far)
FROM indicator c
LEFT JOIN city_ranking r
       ON r.universe = 'zhejiang_11' AND r.indicator = 'composite_index' AND r.city = c.scope AND r.period = c.period
WHERE c.indicator = 'air.composite_index' AND c.value IS NOT NULL;
