-- Manual-sample section classes of one period with the section's registry entry.
SELECT p.section_code, s.name_zh, s.river_zh, s.drinking_source_level, p.water_class_name, s.target_class,
       p.meets_target, p.limiting_items, p.exceedances
FROM water_section_period AS p
JOIN water_section AS s ON s.section_code = p.section_code
WHERE p.kind = 'manual' AND p.period = :period
ORDER BY p.section_code
