-- The air batches of a year's natural days (one row per day loaded): the files each read, so the report can
-- name the days that had no file of their own in the source (e.g. 2019-04-08 of the national archive).
SELECT window_start, source_files
FROM ingest_batch
WHERE dataset = 'air_hourly' AND window_start >= :first_hour_end AND window_start < :last_hour_end
