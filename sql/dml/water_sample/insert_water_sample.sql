INSERT INTO water_sample (section_code, sampled_at, item, value, raw_value, below_detection, unit, kind, batch_id)
VALUES (:section_code, :sampled_at, :item, :value, :raw_value, :below_detection, :unit, :kind, :batch_id)
