INSERT INTO precipitation_sample (station, sampled_on, ph, rainfall_mm, batch_id)
VALUES (:station, :sampled_on, :ph, :rainfall_mm, :batch_id)
