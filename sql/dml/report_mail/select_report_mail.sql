-- The recipients of one report and period, with their delivery state (pipeline/plan/month_report.py).
SELECT recipient, state, reply, message_id, attempts, updated_at
FROM report_mail
WHERE report = :report AND period = :period AND city = :city
