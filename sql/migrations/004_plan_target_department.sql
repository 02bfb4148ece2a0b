-- 004: the lead department of each plan target (issue 15), told in its alerts with the action asked of it.
-- init-db reloads the registry after the migrations, so the column is filled at once.
ALTER TABLE plan_target ADD COLUMN department TEXT NOT NULL DEFAULT '';
