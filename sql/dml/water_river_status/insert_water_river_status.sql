INSERT INTO water_river_status (river_zh, period, n_sections, share_i_iii, share_worse_v, status_zh, status_en, method)
VALUES (:river_zh, :period, :n_sections, :share_i_iii, :share_worse_v, :status_zh, :status_en, :method)
