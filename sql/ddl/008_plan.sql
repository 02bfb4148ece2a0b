-- The 811 plan's quantitative targets. Grain: one row per target. Loaded by `init-db` from
-- data/reference/plan_targets_811.csv.
CREATE TABLE IF NOT EXISTS plan_target (
    id                VARCHAR(64) PRIMARY KEY,
    section           TEXT NOT NULL,
    indicator_zh      TEXT NOT NULL,
    indicator_en      TEXT NOT NULL,
    comparator        VARCHAR(2) NOT NULL,
    value             DOUBLE PRECISION,           -- NULL for targets given only in words
    unit              TEXT NOT NULL,
    kind              VARCHAR(20) NOT NULL,       -- absolute | relative_change | vs_previous_year | vs_supplied_cap | limit_in_force
    baseline_year     INTEGER,
    deadline          INTEGER,
    scope             TEXT NOT NULL,
    measured_by       VARCHAR(12) NOT NULL,       -- computed | statistic
    source_indicator  TEXT,
    plan_text         TEXT NOT NULL,
    department        TEXT NOT NULL DEFAULT ''   -- the lead department (牵头部门) an alert asks to act (migration 004)
);

-- Annual statistics supplied by departments (sewage treatment rate, forest cover, caps ...).
-- Grain: one row per indicator, year and scope.
CREATE TABLE IF NOT EXISTS annual_statistic (
    indicator_id  VARCHAR(64) NOT NULL,
    year          INTEGER NOT NULL,
    scope         TEXT NOT NULL,
    value         DOUBLE PRECISION NOT NULL,
    unit          TEXT NOT NULL,
    batch_id      VARCHAR(40) NOT NULL REFERENCES ingest_batch (batch_id),
    PRIMARY KEY (indicator_id, year, scope)
);

-- Precipitation samples for acid rain. Grain: one row per station and sampling day.
CREATE TABLE IF NOT EXISTS precipitation_sample (
    station      TEXT NOT NULL,
    sampled_on   DATE NOT NULL,
    ph           DOUBLE PRECISION NOT NULL,
    rainfall_mm  DOUBLE PRECISION NOT NULL,
    batch_id     VARCHAR(40) NOT NULL REFERENCES ingest_batch (batch_id),
    PRIMARY KEY (station, sampled_on)
);

-- Regional environmental noise, grid points. Grain: one row per year, city and grid point.
CREATE TABLE IF NOT EXISTS noise_point (
    year          INTEGER NOT NULL,
    city          TEXT NOT NULL,
    point_code    TEXT NOT NULL,
    zone          VARCHAR(2) NOT NULL,        -- GB 3096-2008 functional zone 0 1 2 3 4a 4b
    leq_day_dba   DOUBLE PRECISION NOT NULL,
    batch_id      VARCHAR(40) NOT NULL REFERENCES ingest_batch (batch_id),
    PRIMARY KEY (year, city, point_code)
);

-- The scoreboard: every target evaluated for a year. Grain: one row per target and year.
CREATE TABLE IF NOT EXISTS scoreboard (
    target_id  VARCHAR(64) NOT NULL,
    year       INTEGER NOT NULL,
    value      DOUBLE PRECISION,               -- what is compared (a % change for relative targets)
    goal       DOUBLE PRECISION,
    status     VARCHAR(8) NOT NULL,            -- met | missed (a complete year) | at_risk | on_track | no_data | unjudged (a year over with too little data)
    note       TEXT NOT NULL,
    basis      TEXT NOT NULL,                  -- which data it rests on
    edition    TEXT NOT NULL DEFAULT '',       -- the standards behind a computed value ('' for supplied statistics)
    coverage        VARCHAR(8) NOT NULL DEFAULT '', -- complete | ytd (1-N月累计) | partial (over, data short: unjudged) (migration 005); '' for no value
    first_day       DATE,                           -- first and last day with data of a computed value
    last_day        DATE,
    n_valid         INTEGER,                        -- valid against expected (days, section-months, outlet-months)
    n_expected      INTEGER,
    previous_value  DOUBLE PRECISION,               -- 同比: the value of the same period a year before (NULL: none)
    PRIMARY KEY (target_id, year)
);

-- Alerts: one row per target, period and status change that was (or is to be) mailed.
CREATE TABLE IF NOT EXISTS alert (
    alert_id        VARCHAR(40) PRIMARY KEY,   -- from target, period and status: never two for the same change
    target_id       VARCHAR(64) NOT NULL,
    period          VARCHAR(8) NOT NULL,
    status          VARCHAR(8) NOT NULL,       -- missed | at_risk | met (recovered)
    recipients      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP,
    delivery_state  VARCHAR(8) NOT NULL,       -- pending | sending (claimed) | sent | refused | outbox
    attempts        INTEGER NOT NULL,
    last_error      TEXT NOT NULL,
    claimed_at      TIMESTAMP                  -- when a sender claimed it (one sender at a time)
);

-- Delivery of an alert to each of its recipients. Grain: one row per alert and recipient.
CREATE TABLE IF NOT EXISTS alert_recipient (
    alert_id    VARCHAR(40) NOT NULL REFERENCES alert (alert_id),
    recipient   TEXT NOT NULL,
    state       VARCHAR(8) NOT NULL,           -- pending | sent | refused (permanent: not retried) | outbox
    reply       TEXT NOT NULL,                 -- the server's last reply (or error) for this recipient
    attempts    INTEGER NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (alert_id, recipient)
);
