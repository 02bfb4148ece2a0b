DELETE FROM water_sample WHERE section_code = :section_code AND sampled_at = :sampled_at AND item = :item
