-- v_air_city_month_good_days: monthly good-air-day ratio (优良天数比例). Grain: one row per city and month.
-- Question: "how many good days did 衢州 have each month, against the plan's > 95 %?"
-- ratio = days with AQI <= 100 / valid days x 100 (HJ 663-2013 §5.2); days without all six valid
-- daily statistics do not count (GB 3095 Table 4), so neither does a day whose HJ 633-2026 AQI is published as NA
-- (5.3.1). NULL ratio when a month has no valid day. AQI per the HJ 633 edition of the month (`edition`).
DROP VIEW IF EXISTS v_air_city_month_good_days;
CREATE VIEW v_air_city_month_good_days AS
SELECT
    city,
    substr(CAST(date AS TEXT), 1, 7)                                           AS month,
    COUNT(*)                                                                   AS days,
    SUM(CASE WHEN valid_day THEN 1 ELSE 0 END)                                 AS valid_days,
    SUM(CASE WHEN valid_day AND aqi <= 100 THEN 1 ELSE 0 END)                  AS good_days,
    100.0 * SUM(CASE WHEN valid_day AND aqi <= 100 THEN 1 ELSE 0 END)
        / NULLIF(SUM(CASE WHEN valid_day THEN 1 ELSE 0 END), 0)                AS good_day_ratio_pct,
    (SELECT value FROM plan_target WHERE id = 'air.good_day_ratio')            AS plan_target_pct, -- 811 plan: > 95 % (its registry)
    MAX(edition)                                                               AS edition  -- one per month: editions change on 1 March 2026 and 1 January 2031
FROM air_city_day
GROUP BY city, substr(CAST(date AS TEXT), 1, 7);
