-- 005: honest period coverage (issue 24): the period each indicator and scoreboard row covers, what is valid
-- against what its standard expects, and whether it is complete or the period so far (1-N月累计). Rows written
-- before this migration have coverage ''; `python -m pipeline recompute` (air) and the nightly jobs fill them.
ALTER TABLE indicator ADD COLUMN first_day DATE;
ALTER TABLE indicator ADD COLUMN last_day DATE;
ALTER TABLE indicator ADD COLUMN n_valid INTEGER NOT NULL DEFAULT 0;
ALTER TABLE indicator ADD COLUMN n_expected INTEGER NOT NULL DEFAULT 0;
ALTER TABLE indicator ADD COLUMN coverage VARCHAR(8) NOT NULL DEFAULT '';
ALTER TABLE indicator ADD COLUMN outlook TEXT NOT NULL DEFAULT '';
ALTER TABLE scoreboard ADD COLUMN coverage VARCHAR(8) NOT NULL DEFAULT '';
ALTER TABLE scoreboard ADD COLUMN first_day DATE;
ALTER TABLE scoreboard ADD COLUMN last_day DATE;
ALTER TABLE scoreboard ADD COLUMN n_valid INTEGER;
ALTER TABLE scoreboard ADD COLUMN n_expected INTEGER;
ALTER TABLE scoreboard ADD COLUMN previous_value DOUBLE PRECISION;
