-- Replace a run's day of readings (hourly and daily uploads alike).
DELETE FROM source_reading WHERE period_start >= :window_start AND period_start <= :window_end
