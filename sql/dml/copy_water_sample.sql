COPY water_sample (section_code, sampled_at, item, value, raw_value, below_detection, unit, kind, batch_id) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (raw_value, unit))
