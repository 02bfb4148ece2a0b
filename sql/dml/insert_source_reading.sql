INSERT INTO source_reading (outlet_code, period_start, interval, item, value, flag, batch_id)
VALUES (:outlet_code, :period_start, :interval, :item, :value, :flag, :batch_id)
