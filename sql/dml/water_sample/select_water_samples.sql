-- One kind of readings in [first, last] (timestamps as text 'YYYY-MM-DD HH:MM:SS').
SELECT section_code, sampled_at, item, value, below_detection
FROM water_sample
WHERE kind = :kind AND sampled_at >= :first_time AND sampled_at <= :last_time
