INSERT INTO air_hourly (station_code, hour_end, pollutant, value, unit, flag, batch_id)
VALUES (:station_code, :hour_end, :pollutant, :value, :unit, :flag, :batch_id)
