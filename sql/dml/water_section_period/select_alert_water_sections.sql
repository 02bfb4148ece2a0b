-- The sections behind a water alert (pipeline/plan/alerts.py): each section of the year's manual classes
-- (kind manual, period YYYY) with its name, river, class, target class and limiting items. Grain: one row
-- per section; the alert keeps those of the target's group that miss it.
SELECT p.section_code, s.name_zh, s.river_zh, s.county_zh, s.is_qiantang_mainstream, s.drinking_source_level,
       s.target_class, p.water_class, p.water_class_name, p.limiting_items, p.meets_target, p.table2_ok,
       p.exceedances
FROM water_section_period p
JOIN water_section s ON s.section_code = p.section_code
WHERE p.kind = 'manual' AND p.period = :year
ORDER BY s.river_zh, s.name_zh
