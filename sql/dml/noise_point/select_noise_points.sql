SELECT year, city, point_code, zone, leq_day_dba FROM noise_point WHERE year = :year
