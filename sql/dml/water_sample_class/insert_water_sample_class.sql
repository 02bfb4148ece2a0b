INSERT INTO water_sample_class (section_code, sampled_at, water_class, water_class_name, limiting_items,
    meets_target, table2_ok, exceedances)
VALUES (:section_code, :sampled_at, :water_class, :water_class_name, :limiting_items,
    :meets_target, :table2_ok, :exceedances)
