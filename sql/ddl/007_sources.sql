-- Pollution-source outlets (排放口) with online monitoring. Grain: one row per outlet.
-- Loaded by `init-db` from data/reference/source_outlets_quzhou.csv.
CREATE TABLE IF NOT EXISTS source_outlet (
    outlet_code     VARCHAR(16) PRIMARY KEY,
    mn              VARCHAR(32) NOT NULL UNIQUE,   -- HJ 212 data-logger id
    enterprise_zh   TEXT NOT NULL,
    outlet_zh       TEXT NOT NULL,
    county_zh       TEXT NOT NULL,
    industry        TEXT NOT NULL,
    key_source      BOOLEAN NOT NULL,             -- 重点污染源
    outlet_type     VARCHAR(16) NOT NULL,          -- flue_gas | wastewater
    ref_o2_pct      DOUBLE PRECISION,              -- reference O2 of the flue-gas standard [%]
    name_origin     TEXT NOT NULL,
    CHECK (outlet_type IN ('flue_gas', 'wastewater'))
);

-- Emission limits. Grain: one row per outlet and pollutant.
CREATE TABLE IF NOT EXISTS source_limit (
    outlet_code   VARCHAR(16) NOT NULL REFERENCES source_outlet (outlet_code),
    pollutant     VARCHAR(16) NOT NULL,
    limit_value   DOUBLE PRECISION NOT NULL,
    unit          TEXT NOT NULL,
    basis         VARCHAR(8) NOT NULL,      -- hourly | daily
    standard      TEXT NOT NULL,
    verification  TEXT NOT NULL,
    PRIMARY KEY (outlet_code, pollutant)
);

-- Caps and baselines of the plan's totals. Grain: one row per pollutant.
CREATE TABLE IF NOT EXISTS source_cap (
    pollutant      VARCHAR(16) PRIMARY KEY,
    kind           VARCHAR(8) NOT NULL,     -- cap | baseline
    value_t        DOUBLE PRECISION NOT NULL,
    baseline_year  INTEGER,
    reduction_pct  DOUBLE PRECISION,
    note           TEXT NOT NULL
);

-- Daily values per outlet and limited pollutant. Grain: one row per outlet, day and pollutant.
CREATE TABLE IF NOT EXISTS source_outlet_day (
    outlet_code   VARCHAR(16) NOT NULL,
    date          DATE NOT NULL,
    pollutant     VARCHAR(16) NOT NULL,
    valid_hours   INTEGER NOT NULL,         -- flag N
    other_hours   INTEGER NOT NULL,         -- any other flag: data capture, not compliance
    flags         TEXT NOT NULL,            -- e.g. F=24 or M=3;C=1
    mean          DOUBLE PRECISION,         -- valid hours; flue gas at the reference O2
    max_hour      DOUBLE PRECISION,
    load_kg       DOUBLE PRECISION NOT NULL,
    limit_value   DOUBLE PRECISION NOT NULL,
    basis         VARCHAR(8) NOT NULL,
    exceed_hours  INTEGER NOT NULL,
    exceeded      BOOLEAN NOT NULL,
    compliant     BOOLEAN,                  -- NULL without valid data
    PRIMARY KEY (outlet_code, date, pollutant)
);
