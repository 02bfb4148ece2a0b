DELETE FROM water_river_status WHERE period = :year OR period LIKE :months
