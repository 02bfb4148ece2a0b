-- Plan indicators and their status against the 811 plan's targets.
-- Grain: one row per indicator, scope and period.
CREATE TABLE IF NOT EXISTS indicator (
    indicator      VARCHAR(64) NOT NULL,   -- e.g. air.good_day_ratio, air.annual.pm25
    scope          TEXT NOT NULL,          -- a city (衢州), a station, a section...
    period         VARCHAR(16) NOT NULL,   -- YYYY or YYYY-MM
    value          DOUBLE PRECISION,       -- NULL when there is no data
    unit           VARCHAR(16) NOT NULL,
    comparator     VARCHAR(2) NOT NULL,    -- >, >=, <, <=
    target         DOUBLE PRECISION,       -- NULL for measurements the scoreboard compares (acid rain, noise)
    status         VARCHAR(16) NOT NULL,   -- met, missed (a complete period); at_risk, on_track (a period so far);
                                           -- no_data; measured (no target of its own)
    data_complete  BOOLEAN NOT NULL,       -- the period has the data capture its standard asks (coverage = complete)
    n              INTEGER NOT NULL,       -- days (or values) behind the value
    detail         TEXT NOT NULL,
    edition        TEXT NOT NULL,
    first_day      DATE,                   -- first day with data in the period (migration 005; NULL: none, or a survey)
    last_day       DATE,                   -- last day with data: a period so far is 1-N月累计, N its month
    n_valid        INTEGER NOT NULL DEFAULT 0,     -- valid days (air), section-months (water), outlet-months (sources)
    n_expected     INTEGER NOT NULL DEFAULT 0,     -- what the standard expects of the period, in the same unit
    coverage       VARCHAR(8) NOT NULL DEFAULT '', -- complete | ytd (the period so far) | partial (over, too little data: unjudged); '' before migration 005
    outlook        TEXT NOT NULL DEFAULT '',       -- a period so far: the at-risk rule and its result ('' if complete)
    PRIMARY KEY (indicator, scope, period)
);
