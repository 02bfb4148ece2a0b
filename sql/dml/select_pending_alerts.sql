SELECT * FROM alert WHERE delivery_state = 'pending' ORDER BY created_at, alert_id
