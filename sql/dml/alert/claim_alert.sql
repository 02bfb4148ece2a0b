-- Claim one alert for sending (one sender at a time, portable: the UPDATE is atomic on SQLite and
-- PostgreSQL alike, and a second sender's UPDATE matches no row). A claim older than stale_before (a sender
-- that died mid-send) may be taken over: the message keeps its Message-ID, so a receiver drops a duplicate.
UPDATE alert SET delivery_state = 'sending', claimed_at = :now
WHERE alert_id = :alert_id
  AND (delivery_state = 'pending' OR (delivery_state = 'sending' AND claimed_at < :stale_before))
