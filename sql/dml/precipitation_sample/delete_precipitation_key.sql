DELETE FROM precipitation_sample WHERE station = :station AND sampled_on = :sampled_on
