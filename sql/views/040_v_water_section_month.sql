-- v_water_section_month: surface-water class of each section by month (断面水质类别).
-- Grain: one row per section, month and kind (manual = monthly lab sample, auto = automatic station).
-- Question: "which class was each section in, month by month, and did it meet its function-zone target?"
-- Class per GB 3838-2002 Table 1 (single-factor, worst item; 6 = worse than V, 劣V); the monthly value of
-- an automatic station is the class of the month's mean concentrations.
DROP VIEW IF EXISTS v_water_section_month;
CREATE VIEW v_water_section_month AS
SELECT
    p.section_code,
    s.name_zh,
    s.river_zh,
    s.county_zh,
    s.waterbody,
    s.is_qiantang_mainstream,
    s.drinking_source_level,          -- county | township | NULL
    p.period                          AS month,     -- YYYY-MM
    p.kind,
    p.n_samples,
    p.water_class,                    -- 1-6
    p.water_class_name,               -- I II III IV V 劣V
    s.target_class,
    p.meets_target,
    p.limiting_items,
    p.exceedances,
    p.table2_ok                       -- GB 3838-2002 Table 2 items (drinking sources) within limits
FROM water_section_period p
JOIN water_section s ON s.section_code = p.section_code
WHERE length(p.period) = 7;
