SELECT river_zh, n_sections, share_i_iii, status_zh, status_en, method
FROM water_river_status WHERE period = :period ORDER BY river_zh
