INSERT INTO reading_change (dataset, window_label, reading_key, change, old_value, new_value, old_batch_id,
                            new_batch_id, changed_at)
VALUES (:dataset, :window_label, :reading_key, :change, :old_value, :new_value, :old_batch_id, :new_batch_id,
        :changed_at)
