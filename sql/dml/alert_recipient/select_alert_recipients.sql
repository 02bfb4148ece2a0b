-- The delivery state of each recipient of one alert (one row per recipient).
SELECT recipient, state, reply, attempts FROM alert_recipient WHERE alert_id = :alert_id ORDER BY recipient
