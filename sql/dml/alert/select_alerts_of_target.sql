SELECT * FROM alert WHERE target_id = :target_id ORDER BY created_at DESC, alert_id
