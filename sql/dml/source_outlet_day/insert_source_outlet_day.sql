INSERT INTO source_outlet_day (outlet_code, date, pollutant, valid_hours, other_hours, flags, mean, max_hour, load_kg,
    limit_value, basis, exceed_hours, exceeded, compliant)
VALUES (:outlet_code, :date, :pollutant, :valid_hours, :other_hours, :flags, :mean, :max_hour, :load_kg,
    :limit_value, :basis, :exceed_hours, :exceeded, :compliant)
