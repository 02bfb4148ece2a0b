-- Hourly readings of [first, last].
SELECT outlet_code, period_start, item, value, flag, cou_value FROM source_reading
WHERE interval = 'hour' AND period_start >= :first_time AND period_start <= :last_time
