-- Replace a run's period of one kind of readings.
DELETE FROM water_sample WHERE kind = :kind AND sampled_at >= :window_start AND sampled_at <= :window_end
