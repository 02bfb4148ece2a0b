-- Surface-water monitoring sections (监测断面) of the Quzhou network.
-- Grain: one row per section. Loaded by `init-db` from data/reference/water_sections_quzhou.csv.
CREATE TABLE IF NOT EXISTS water_section (
    section_code            VARCHAR(16) PRIMARY KEY,
    name_zh                 TEXT NOT NULL,
    waterbody               VARCHAR(8) NOT NULL,      -- river | lake (lakes and reservoirs)
    river_zh                TEXT NOT NULL,            -- river or reservoir name
    basin_zh                TEXT NOT NULL,
    county_zh               TEXT NOT NULL,
    is_qiantang_mainstream  BOOLEAN NOT NULL,         -- 钱塘江干流(衢州段)
    drinking_source_level   VARCHAR(16),              -- county (县以上) | township (乡镇) | NULL
    target_class            INTEGER NOT NULL,         -- function-zone target, 1-5 (GB 3838-2002 class)
    has_auto_station        BOOLEAN NOT NULL,
    name_origin             TEXT NOT NULL,            -- where the name comes from; 'invented' for made-up ones
    CHECK (waterbody IN ('river', 'lake')),
    CHECK (target_class BETWEEN 1 AND 5)
);

-- Water readings. Grain: one row per section, sampling time and item. Values in the item's unit
-- (mg/L; pH 1; fecal coliform MPN/L); below_detection: the lab wrote "<DL>L" and value is the DL.
CREATE TABLE IF NOT EXISTS water_sample (
    section_code     VARCHAR(16) NOT NULL,
    sampled_at       TIMESTAMP NOT NULL,      -- local time Asia/Shanghai
    item             VARCHAR(16) NOT NULL,
    value            DOUBLE PRECISION NOT NULL,
    raw_value        TEXT NOT NULL,
    below_detection  BOOLEAN NOT NULL,
    unit             TEXT NOT NULL,
    kind             VARCHAR(8) NOT NULL,     -- manual (lab) | auto (automatic station)
    batch_id         VARCHAR(40) NOT NULL REFERENCES ingest_batch (batch_id),
    PRIMARY KEY (section_code, sampled_at, item)
);
CREATE INDEX IF NOT EXISTS water_sample_time ON water_sample (sampled_at);

-- Class of each manual sample (GB 3838-2002 single-factor). Grain: one row per section and sample time.
CREATE TABLE IF NOT EXISTS water_sample_class (
    section_code    VARCHAR(16) NOT NULL,
    sampled_at      TIMESTAMP NOT NULL,
    water_class     INTEGER,                 -- 1-6 (6 = 劣V)
    water_class_name VARCHAR(4) NOT NULL,
    limiting_items  TEXT NOT NULL,
    meets_target    BOOLEAN,
    table2_ok       BOOLEAN NOT NULL,        -- GB 3838-2002 Table 2 items within limits
    exceedances     TEXT NOT NULL,           -- item=multiple over the target-class limit
    PRIMARY KEY (section_code, sampled_at)
);

-- Section class of a period from the period means. Grain: one row per section, period and kind.
-- period: YYYY-MM-DD (automatic stations, daily), YYYY-MM or YYYY (manual samples).
CREATE TABLE IF NOT EXISTS water_section_period (
    section_code    VARCHAR(16) NOT NULL,
    period          VARCHAR(10) NOT NULL,
    kind            VARCHAR(8) NOT NULL,
    n_samples       INTEGER NOT NULL,
    water_class     INTEGER,
    water_class_name VARCHAR(4) NOT NULL,
    limiting_items  TEXT NOT NULL,
    meets_target    BOOLEAN,
    table2_ok       BOOLEAN NOT NULL,
    exceedances     TEXT NOT NULL,
    means           TEXT NOT NULL,           -- item=mean;... (non-detects at half the detection limit)
    PRIMARY KEY (section_code, period, kind)
);

-- Water-quality status of each river (环办〔2011〕22号). Grain: one row per river and period.
CREATE TABLE IF NOT EXISTS water_river_status (
    river_zh        TEXT NOT NULL,
    period          VARCHAR(10) NOT NULL,
    n_sections      INTEGER NOT NULL,
    share_i_iii     DOUBLE PRECISION,        -- % of sections in classes I-III
    share_worse_v   DOUBLE PRECISION,        -- % of sections worse than V
    status_zh       TEXT NOT NULL,           -- 优 良好 轻度污染 中度污染 重度污染
    status_en       TEXT NOT NULL,
    method          TEXT NOT NULL,
    PRIMARY KEY (river_zh, period)
);
