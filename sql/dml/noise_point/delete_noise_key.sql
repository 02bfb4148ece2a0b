DELETE FROM noise_point WHERE year = :year AND city = :city AND point_code = :point_code
