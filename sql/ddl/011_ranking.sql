-- City air-quality ranking (城市环境空气质量排名, issue 25): the rank universes (reference data, loaded by init-db
-- from data/reference/rank_universes.csv) and each city's ranked values, computed in Python
-- (pipeline/indicators/ranking.py) with the air indicators and stored; v_city_ranking selects them.
CREATE TABLE IF NOT EXISTS rank_universe (
    universe      VARCHAR(32) NOT NULL,   -- zhejiang_11 (浙江省11个设区市), mee_168 (生态环境部168个重点城市)
    universe_zh   TEXT NOT NULL,
    city          TEXT NOT NULL,          -- as air_city_day.city (the station list's 城市): 杭州, 衢州 ...
    province      TEXT NOT NULL,
    region        TEXT NOT NULL,          -- e.g. 长三角地区 ('' if none)
    source        TEXT NOT NULL,          -- where the membership is published
    PRIMARY KEY (universe, city)
);

-- Grain: one row per universe, period, ranked indicator and member city.
CREATE TABLE IF NOT EXISTS city_ranking (
    universe        VARCHAR(32) NOT NULL,
    period          VARCHAR(16) NOT NULL,   -- YYYY-MM (month), YYYY-01~MM (1-N月累计), YYYY (year)
    period_kind     VARCHAR(8) NOT NULL,    -- month | ytd | year
    indicator       VARCHAR(32) NOT NULL,   -- composite_index | pm25 | good_day_ratio
    city            TEXT NOT NULL,
    value           DOUBLE PRECISION,       -- rounded as published (I_sum 2 decimals, PM2.5 integer, ratio 1 decimal)
    rank            INTEGER,                -- 1 = best; equal values share a rank; NULL: not ranked (see note)
    n_ranked        INTEGER NOT NULL,       -- cities ranked in the universe and period
    n_members       INTEGER NOT NULL,       -- cities of the universe
    previous_value  DOUBLE PRECISION,       -- the same period of the year before
    change          DOUBLE PRECISION,       -- 同比: % for I_sum and PM2.5, percentage points for the good-day ratio
    change_rank     INTEGER,                -- I_sum only: rank by change (变化程度), most improved first
    valid_days      INTEGER NOT NULL,
    eligible        BOOLEAN NOT NULL,       -- ranked (its data meet the ranking's rule)
    note            TEXT NOT NULL,          -- why not ranked ('' when ranked)
    PRIMARY KEY (universe, period, indicator, city)
);
