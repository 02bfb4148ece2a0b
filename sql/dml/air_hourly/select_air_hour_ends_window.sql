-- The distinct hour-ends with hourly readings in a window (window_start, window_end, inclusive), for
-- `recompute`: a day with hourly readings and no daily values (a kill after the load's commit) is found too.
SELECT DISTINCT hour_end FROM air_hourly WHERE hour_end >= :window_start AND hour_end <= :window_end
