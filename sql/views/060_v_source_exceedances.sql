-- v_source_exceedances: outlet-days over their emission limit (超标排放).
-- Grain: one row per outlet, day and pollutant that exceeded.
-- Question: "which enterprise exceeded which limit, on which day, by how much?"
-- Flue gas at the standard's reference O2; only hours flagged N (HJ 212-2017 data flag) count; a daily
-- limit compares the day's mean, an hourly limit each valid hour (exceed_hours).
DROP VIEW IF EXISTS v_source_exceedances;
CREATE VIEW v_source_exceedances AS
SELECT
    d.outlet_code,
    o.enterprise_zh,
    o.outlet_zh,
    o.county_zh,
    o.outlet_type,
    o.key_source,
    d.date,
    substr(CAST(d.date AS TEXT), 1, 7)   AS month,
    d.pollutant,
    d.mean,
    d.max_hour,
    d.limit_value,
    l.unit,
    d.basis,                             -- hourly | daily
    d.exceed_hours,
    d.valid_hours,
    CASE WHEN d.basis = 'daily' THEN d.mean ELSE d.max_hour END / d.limit_value AS times_limit,
    l.standard
FROM source_outlet_day d
JOIN source_outlet o ON o.outlet_code = d.outlet_code
LEFT JOIN source_limit l ON l.outlet_code = d.outlet_code AND l.pollutant = d.pollutant
WHERE d.exceeded;
