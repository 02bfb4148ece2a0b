INSERT INTO station (station_code, name_zh, city_zh, province_zh, prefecture_zh, county_zh, lon, lat, is_background, source)
VALUES (:station_code, :name_zh, :city_zh, :province_zh, :prefecture_zh, :county_zh, :lon, :lat, :is_background, :source)
