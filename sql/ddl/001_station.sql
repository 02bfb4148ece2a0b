-- Air-quality monitoring stations of the national network (国控空气质量监测站点).
-- Grain: one row per station code. Loaded by `python -m pipeline init-db` from
-- data/reference/NewSiteList_GBK.csv (CNEMC station list, GBK).
CREATE TABLE IF NOT EXISTS station (
    station_code   VARCHAR(16) PRIMARY KEY,   -- e.g. 1264A
    name_zh        TEXT NOT NULL,             -- 监测点名称, e.g. 环保大楼
    city_zh        TEXT,                      -- 城市, e.g. 衢州
    province_zh    TEXT,                      -- 省级行政区
    prefecture_zh  TEXT,                      -- 地级行政区, e.g. 衢州市
    county_zh      TEXT,                      -- 县(市、区); not in the national list, NULL until supplied
    lon            DOUBLE PRECISION,          -- degrees east, NULL where the list has none
    lat            DOUBLE PRECISION,          -- degrees north
    is_background  BOOLEAN NOT NULL DEFAULT FALSE, -- 对照点: excluded from city values (HJ 663-2013)
    source         TEXT NOT NULL
);
