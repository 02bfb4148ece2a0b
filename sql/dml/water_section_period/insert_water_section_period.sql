INSERT INTO water_section_period (section_code, period, kind, n_samples, water_class, water_class_name,
    limiting_items, meets_target, table2_ok, exceedances, means)
VALUES (:section_code, :period, :kind, :n_samples, :water_class, :water_class_name,
    :limiting_items, :meets_target, :table2_ok, :exceedances, :means)
