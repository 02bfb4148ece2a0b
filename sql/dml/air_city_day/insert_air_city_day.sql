INSERT INTO air_city_day (city, date, so2, no2, pm10, co, pm25, o3_8h, o3_1h, n_stations,
    iaqi_so2, iaqi_no2, iaqi_pm10, iaqi_co, iaqi_pm25, iaqi_o3_8h, iaqi_o3_1h,
    aqi, level, category_zh, category_en, primary_pollutant, valid_day, edition, aqi_status)
VALUES (:city, :date, :so2, :no2, :pm10, :co, :pm25, :o3_8h, :o3_1h, :n_stations,
    :iaqi_so2, :iaqi_no2, :iaqi_pm10, :iaqi_co, :iaqi_pm25, :iaqi_o3_8h, :iaqi_o3_1h,
    :aqi, :level, :category_zh, :category_en, :primary_pollutant, :valid_day, :edition, :aqi_status)
