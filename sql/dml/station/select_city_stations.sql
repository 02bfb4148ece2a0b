-- Evaluation stations (background/对照点 stations excluded, HJ 663-2013) and their city.
SELECT station_code, city_zh FROM station WHERE NOT is_background AND city_zh IS NOT NULL
