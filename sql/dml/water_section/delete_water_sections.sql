DELETE FROM water_section
