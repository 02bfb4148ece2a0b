-- 003: what HJ 212 uploads send beside Avg (issue 16): the period's Min, Max and Cou (cumulative amount).
-- Readings loaded before this migration have none of them (NULL), as CSV exports never do.
ALTER TABLE source_reading ADD COLUMN min_value DOUBLE PRECISION;
ALTER TABLE source_reading ADD COLUMN max_value DOUBLE PRECISION;
ALTER TABLE source_reading ADD COLUMN cou_value DOUBLE PRECISION;
