DELETE FROM plan_target
