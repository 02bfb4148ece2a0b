INSERT INTO noise_point (year, city, point_code, zone, leq_day_dba, batch_id)
VALUES (:year, :city, :point_code, :zone, :leq_day_dba, :batch_id)
