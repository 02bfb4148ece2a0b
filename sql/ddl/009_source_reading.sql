-- Online-monitoring readings. Grain: one row per outlet, period start, interval and item.
-- period_start: start of the hour (HJ 212 DataTime of CN 2061) or of the day (CN 2031), local time.
CREATE TABLE IF NOT EXISTS source_reading (
    outlet_code   VARCHAR(16) NOT NULL,
    period_start  TIMESTAMP NOT NULL,
    interval      VARCHAR(4) NOT NULL,      -- hour | day
    item          VARCHAR(16) NOT NULL,     -- so2 nox pm o2 flow (m3/h) cod nh3n tp tn ph pb cd ...
    value         DOUBLE PRECISION NOT NULL,
    flag          VARCHAR(1) NOT NULL,      -- HJ 212-2017 data flag (Table 8): N F M S D C T B; P (HJ/T 212-2005)
    min_value     DOUBLE PRECISION,         -- HJ 212 Min of the period, when the logger sends it (unit of value)
    max_value     DOUBLE PRECISION,         -- HJ 212 Max of the period, when sent
    cou_value     DOUBLE PRECISION,         -- HJ 212 Cou: the logger's cumulative amount of the period, when sent
                                            -- (pollutants: kg; flow: m3), used for the load where present
    batch_id      VARCHAR(40) NOT NULL REFERENCES ingest_batch (batch_id),
    PRIMARY KEY (outlet_code, period_start, interval, item)
);
