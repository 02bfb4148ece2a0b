DELETE FROM water_river_status WHERE period = :period
