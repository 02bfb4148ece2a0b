SELECT d.outlet_code, d.date, d.pollutant, d.valid_hours, d.other_hours, d.flags, d.mean, d.max_hour, d.load_kg,
       d.limit_value, d.basis, d.exceed_hours, d.exceeded, d.compliant, o.county_zh, o.key_source, o.enterprise_zh
FROM source_outlet_day AS d JOIN source_outlet AS o ON o.outlet_code = d.outlet_code
WHERE d.date >= :first_date AND d.date <= :last_date
ORDER BY d.outlet_code, d.date, d.pollutant
