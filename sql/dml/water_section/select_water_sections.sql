SELECT section_code, name_zh, waterbody, river_zh, basin_zh, county_zh, is_qiantang_mainstream,
       drinking_source_level, target_class, has_auto_station
FROM water_section ORDER BY section_code
