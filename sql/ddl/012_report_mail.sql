-- Reports mailed (issue 25: the month report, 月报, to the plan office once the month is over).
-- Grain: one row per report, period, city and recipient: its delivery state, as alert_recipient for the alerts.
CREATE TABLE IF NOT EXISTS report_mail (
    report      VARCHAR(16) NOT NULL,   -- month
    period      VARCHAR(16) NOT NULL,   -- YYYY-MM
    city        TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    state       VARCHAR(16) NOT NULL,   -- sent | outbox | pending (retried on the next run) | refused (5xx, not retried)
    reply       TEXT NOT NULL,          -- the server's reply, or where the .eml was written
    message_id  TEXT NOT NULL,          -- the same on every attempt
    attempts    INTEGER NOT NULL,
    updated_at  VARCHAR(32) NOT NULL,
    PRIMARY KEY (report, period, city, recipient)
);
