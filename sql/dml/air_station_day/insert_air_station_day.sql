INSERT INTO air_station_day (station_code, date,
    so2, so2_hours, no2, no2_hours, pm10, pm10_hours, co, co_hours, pm25, pm25_hours,
    o3_8h, o3_8h_windows, o3_1h, o3_hours,
    iaqi_so2, iaqi_no2, iaqi_pm10, iaqi_co, iaqi_pm25, iaqi_o3_8h, iaqi_o3_1h,
    aqi, level, category_zh, category_en, primary_pollutant, valid_day, edition, aqi_status)
VALUES (:station_code, :date,
    :so2, :so2_hours, :no2, :no2_hours, :pm10, :pm10_hours, :co, :co_hours, :pm25, :pm25_hours,
    :o3_8h, :o3_8h_windows, :o3_1h, :o3_hours,
    :iaqi_so2, :iaqi_no2, :iaqi_pm10, :iaqi_co, :iaqi_pm25, :iaqi_o3_8h, :iaqi_o3_1h,
    :aqi, :level, :category_zh, :category_en, :primary_pollutant, :valid_day, :edition, :aqi_status)
