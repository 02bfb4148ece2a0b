COPY source_reading (outlet_code, period_start, interval, item, value, flag, batch_id) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (flag))
