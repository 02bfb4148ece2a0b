SELECT station, sampled_on, ph, rainfall_mm FROM precipitation_sample WHERE sampled_on >= :first_date AND sampled_on <= :last_date
