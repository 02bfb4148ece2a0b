SELECT * FROM plan_target ORDER BY id
