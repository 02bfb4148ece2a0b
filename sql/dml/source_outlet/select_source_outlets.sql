SELECT outlet_code, mn, enterprise_zh, outlet_zh, county_zh, key_source, outlet_type, ref_o2_pct FROM source_outlet ORDER BY outlet_code
