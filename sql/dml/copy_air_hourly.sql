COPY air_hourly (station_code, hour_end, pollutant, value, unit, flag, batch_id) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (flag, unit))
