UPDATE alert SET delivery_state = :delivery_state, sent_at = :sent_at, attempts = attempts + 1, last_error = :last_error
WHERE alert_id = :alert_id
