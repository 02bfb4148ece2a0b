-- The outlets and pollutants behind a source alert (pipeline/plan/alerts.py): key outlets' days of the year
-- that were not compliant, per outlet and pollutant. Grain: one row per outlet and pollutant.
SELECT o.enterprise_zh, o.outlet_zh, o.county_zh, d.pollutant, COUNT(*) AS days, MAX(d.max_hour) AS max_hour,
       MAX(d.limit_value) AS limit_value
FROM source_outlet_day d
JOIN source_outlet o ON o.outlet_code = d.outlet_code
WHERE o.key_source AND d.compliant = FALSE AND d.date >= :first_date AND d.date <= :last_date
GROUP BY o.enterprise_zh, o.outlet_zh, o.county_zh, d.pollutant
ORDER BY days DESC, o.enterprise_zh
