SELECT alert_id FROM alert WHERE alert_id = :alert_id
