INSERT INTO source_outlet (outlet_code, mn, enterprise_zh, outlet_zh, county_zh, industry, key_source, outlet_type, ref_o2_pct, name_origin)
VALUES (:outlet_code, :mn, :enterprise_zh, :outlet_zh, :county_zh, :industry, :key_source, :outlet_type, :ref_o2_pct, :name_origin)
