SELECT section_code, sampled_at, water_class, meets_target, table2_ok
FROM water_sample_class WHERE sampled_at >= :first_time AND sampled_at <= :last_time
