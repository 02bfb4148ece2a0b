-- Replace a run's day: remove the window's hourly readings before loading them again.
DELETE FROM air_hourly WHERE hour_end >= :window_start AND hour_end <= :window_end
