-- Record one recipient's delivery attempt (replacing its previous state).
INSERT INTO alert_recipient (alert_id, recipient, state, reply, attempts, updated_at)
VALUES (:alert_id, :recipient, :state, :reply, :attempts, :updated_at)
ON CONFLICT (alert_id, recipient) DO UPDATE
SET state = EXCLUDED.state, reply = EXCLUDED.reply, attempts = EXCLUDED.attempts, updated_at = EXCLUDED.updated_at
