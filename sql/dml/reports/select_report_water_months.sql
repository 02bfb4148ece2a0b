-- Section classes by month over one year (v_water_section_month; one row per section, month and kind).
-- Months compared as text 'YYYY-MM' (month_start, month_end).
SELECT section_code, name_zh, river_zh, county_zh, drinking_source_level, month, kind, n_samples, water_class,
       water_class_name, target_class, meets_target, limiting_items
FROM v_water_section_month
WHERE month >= :month_start AND month <= :month_end
ORDER BY section_code, month, kind
