DELETE FROM water_section_period WHERE period = :period AND kind = :kind
