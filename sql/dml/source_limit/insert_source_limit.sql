INSERT INTO source_limit (outlet_code, pollutant, limit_value, unit, basis, standard, verification)
VALUES (:outlet_code, :pollutant, :limit_value, :unit, :basis, :standard, :verification)
