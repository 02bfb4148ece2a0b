-- The outlets behind a source total alert (pipeline/plan/alerts.py): each outlet's load of one pollutant over
-- the year (valid hours), largest first. Grain: one row per outlet.
SELECT o.enterprise_zh, o.outlet_zh, o.county_zh, SUM(d.load_kg) / 1000.0 AS load_t
FROM source_outlet_day d
JOIN source_outlet o ON o.outlet_code = d.outlet_code
WHERE d.pollutant = :pollutant AND d.date >= :first_date AND d.date <= :last_date
GROUP BY o.enterprise_zh, o.outlet_zh, o.county_zh
ORDER BY load_t DESC, o.enterprise_zh
