-- v_air_annual_vs_grade_ii: annual city concentrations against GB 3095-2012 Grade II (二级).
-- Grain: one row per city, year and pollutant.
-- Question: "are 衢州's annual means within Grade II?" Annual means for SO2, NO2, PM10, PM2.5; the 95th
-- percentile of daily CO and the 90th percentile of daily max 8-h O3 (HJ 663-2013 §5.1, Table 1);
-- limits from GB 3095-2012 Table 1 (CO and O3 against their 24-h and 8-h Grade II limits).
DROP VIEW IF EXISTS v_air_annual_vs_grade_ii;
CREATE VIEW v_air_annual_vs_grade_ii AS
SELECT
    scope                       AS city,
    period                      AS year,
    substr(indicator, 12)       AS pollutant,     -- so2 no2 pm10 pm25 co o3_8h
    value,
    unit,
    target                      AS grade_ii_limit,
    status,                                       -- met | missed | no_data
    data_complete,                                -- the year has the data capture GB 3095-2012 Table 4 asks
    n                           AS valid_days,
    detail
FROM indicator
WHERE indicator LIKE 'air.annual.%';
