-- Record one recipient's delivery attempt of a report (replacing its previous state).
INSERT INTO report_mail (report, period, city, recipient, state, reply, message_id, attempts, updated_at)
VALUES (:report, :period, :city, :recipient, :state, :reply, :message_id, :attempts, :updated_at)
ON CONFLICT (report, period, city, recipient) DO UPDATE
SET state = EXCLUDED.state, reply = EXCLUDED.reply, message_id = EXCLUDED.message_id, attempts = EXCLUDED.attempts,
    updated_at = EXCLUDED.updated_at
