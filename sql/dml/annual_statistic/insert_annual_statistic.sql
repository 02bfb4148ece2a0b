INSERT INTO annual_statistic (indicator_id, year, scope, value, unit, batch_id)
VALUES (:indicator_id, :year, :scope, :value, :unit, :batch_id)
