INSERT INTO source_reading (outlet_code, period_start, interval, item, value, flag, min_value, max_value, cou_value,
                            batch_id)
VALUES (:outlet_code, :period_start, :interval, :item, :value, :flag, :min_value, :max_value, :cou_value, :batch_id)
