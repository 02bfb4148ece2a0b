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
    status         VARCHAR(16) NOT NULL,   -- met, missed, no_data; measured (no target of its own)
    data_complete  BOOLEAN NOT NULL,       -- the period has the data capture its standard asks
    n              INTEGER NOT NULL,       -- days (or values) behind the value
    detail         TEXT NOT NULL,
    edition        TEXT NOT NULL,
    PRIMARY KEY (indicator, scope, period)
);
