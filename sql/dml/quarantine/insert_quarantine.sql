INSERT INTO quarantine (batch_id, source_file, source_row, record_key, reason, raw_record)
VALUES (:batch_id, :source_file, :source_row, :record_key, :reason, :raw_record)
