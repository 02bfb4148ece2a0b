-- Alerts to send: pending, or claimed by a sender that has not finished since stale_before (one row each).
SELECT * FROM alert
WHERE delivery_state = 'pending' OR (delivery_state = 'sending' AND claimed_at < :stale_before)
ORDER BY created_at, alert_id
