INSERT INTO water_section (section_code, name_zh, waterbody, river_zh, basin_zh, county_zh, is_qiantang_mainstream,
    drinking_source_level, target_class, has_auto_station, name_origin)
VALUES (:section_code, :name_zh, :waterbody, :river_zh, :basin_zh, :county_zh, :is_qiantang_mainstream,
    :drinking_source_level, :target_class, :has_auto_station, :name_origin)
