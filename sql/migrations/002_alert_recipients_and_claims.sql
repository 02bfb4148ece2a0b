-- 002: alerts claimed by one sender at a time (claimed_at), delivery per recipient (issue 17).
-- The alert_recipient table itself is made by sql/ddl/008_plan.sql (CREATE TABLE IF NOT EXISTS).
ALTER TABLE alert ADD COLUMN claimed_at TIMESTAMP;
