-- Manual-sample section classes of a year and its months.
SELECT section_code, period, n_samples, water_class, meets_target, table2_ok
FROM water_section_period
WHERE kind = 'manual' AND (period = :year OR period LIKE :months)
