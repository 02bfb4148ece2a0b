-- v_air_annual_vs_grade_ii: annual city concentrations against the Grade II (二级) limits in force for the year.
-- Grain: one row per city, year and pollutant.
-- Question: "are 衢州's annual means within Grade II?" Annual means for SO2, NO2, PM10, PM2.5; the 95th
-- percentile of daily CO and the 90th percentile of daily max 8-h O3 (HJ 663-2013 §5.1, Table 1);
-- limits: GB 3095-2012 Table 1 to 2025; GB 3095-2026 Table 1 transition limits 2026-2030 (2026 as a whole: its
-- days from 2026-03-01 are under the new standard), final limits from 2031 (`edition` names them).
-- A year without >= 324 valid days and >= 27 in each month (25 in February; GB 3095 Table 4, HJ 663-2013) is the
-- year so far (`coverage` = ytd, 1-N月累计): never met/missed, but at_risk (value so far over the limit) or on_track.
DROP VIEW IF EXISTS v_air_annual_vs_grade_ii;
CREATE VIEW v_air_annual_vs_grade_ii AS
SELECT
    scope                       AS city,
    period                      AS year,
    substr(indicator, 12)       AS pollutant,     -- so2 no2 pm10 pm25 co o3_8h
    value,
    unit,
    target                      AS grade_ii_limit,
    status,                                       -- met | missed (a complete year) | at_risk | on_track | no_data | unjudged (a year over with too little data)
    data_complete,                                -- the year has the data capture GB 3095 Table 4 asks
    n                           AS valid_days,
    detail,
    edition,                                      -- the limits and evaluation rules applied
    first_day,                                    -- first and last day with data of the year
    last_day,
    n_valid,                                      -- what is valid against what the standard expects
    n_expected,
    coverage,                                     -- complete (judged met/missed) | ytd (1-N月累计: at_risk/on_track) | partial (unjudged)
    outlook                                       -- a year so far: the at-risk rule and its result ('' if complete)
FROM indicator
WHERE indicator LIKE 'air.annual.%';
