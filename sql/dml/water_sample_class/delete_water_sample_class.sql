DELETE FROM water_sample_class WHERE sampled_at >= :first_time AND sampled_at <= :last_time
