INSERT INTO alert (alert_id, target_id, period, status, recipients, subject, created_at, sent_at, delivery_state, attempts, last_error)
VALUES (:alert_id, :target_id, :period, :status, :recipients, :subject, :created_at, NULL, 'pending', 0, '')
