-- Station-day air values (GB 3095 validity, HJ 633 daily AQI of the edition in force on the date).
-- Grain: one row per station and natural day. Concentrations are NULL when invalid; the
-- *_hours / o3_8h_windows columns say why. edition: which standards' tables were used.
CREATE TABLE IF NOT EXISTS air_station_day (
    station_code       VARCHAR(16) NOT NULL,
    date               DATE NOT NULL,
    so2                DOUBLE PRECISION, so2_hours  INTEGER NOT NULL,   -- 24-h mean, ug/m3
    no2                DOUBLE PRECISION, no2_hours  INTEGER NOT NULL,   -- ug/m3
    pm10               DOUBLE PRECISION, pm10_hours INTEGER NOT NULL,   -- ug/m3
    co                 DOUBLE PRECISION, co_hours   INTEGER NOT NULL,   -- mg/m3
    pm25               DOUBLE PRECISION, pm25_hours INTEGER NOT NULL,   -- ug/m3
    o3_8h              DOUBLE PRECISION, o3_8h_windows INTEGER NOT NULL, -- daily max 8-h, ug/m3
    o3_1h              DOUBLE PRECISION, o3_hours   INTEGER NOT NULL,   -- daily max 1-h, ug/m3
    iaqi_so2 INTEGER, iaqi_no2 INTEGER, iaqi_pm10 INTEGER, iaqi_co INTEGER,
    iaqi_pm25 INTEGER, iaqi_o3_8h INTEGER, iaqi_o3_1h INTEGER,
    aqi                INTEGER,
    level              INTEGER,              -- 1-6, HJ 633-2012 Table 2 (NULL without AQI)
    category_zh        TEXT NOT NULL,        -- 优, 良, 轻度污染 ...
    category_en        TEXT NOT NULL,
    primary_pollutant  TEXT NOT NULL,        -- ';'-separated codes, '' when AQI <= 50
    valid_day          BOOLEAN NOT NULL,     -- all six daily statistics valid
    edition            TEXT NOT NULL,        -- 2012 | 2026-transition | 2026 (pipeline/indicators/editions.py)
    aqi_status         VARCHAR(9) NOT NULL DEFAULT 'published', -- published | NA (HJ 633-2026 5.3.1) | none
    PRIMARY KEY (station_code, date)
);

-- City-day air values per HJ 663-2013: means of the valid values of the city's evaluation
-- stations, then the city's IAQIs and AQI. Grain: one row per city and natural day.
CREATE TABLE IF NOT EXISTS air_city_day (
    city               TEXT NOT NULL,        -- station.city_zh, e.g. 衢州
    date               DATE NOT NULL,
    so2 DOUBLE PRECISION, no2 DOUBLE PRECISION, pm10 DOUBLE PRECISION, co DOUBLE PRECISION,
    pm25 DOUBLE PRECISION, o3_8h DOUBLE PRECISION, o3_1h DOUBLE PRECISION,
    n_stations         INTEGER NOT NULL,     -- evaluation stations with a row that day
    iaqi_so2 INTEGER, iaqi_no2 INTEGER, iaqi_pm10 INTEGER, iaqi_co INTEGER,
    iaqi_pm25 INTEGER, iaqi_o3_8h INTEGER, iaqi_o3_1h INTEGER,
    aqi                INTEGER,
    level              INTEGER,
    category_zh        TEXT NOT NULL,
    category_en        TEXT NOT NULL,
    primary_pollutant  TEXT NOT NULL,
    valid_day          BOOLEAN NOT NULL,
    edition            TEXT NOT NULL,
    aqi_status         VARCHAR(9) NOT NULL DEFAULT 'published', -- published | NA (HJ 633-2026 5.3.1) | none
    PRIMARY KEY (city, date)
);
