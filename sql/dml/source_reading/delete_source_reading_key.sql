DELETE FROM source_reading WHERE outlet_code = :outlet_code AND period_start = :period_start AND interval = :interval AND item = :item
