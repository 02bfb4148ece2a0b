SELECT outlet_code, pollutant, limit_value, unit, basis, standard FROM source_limit ORDER BY outlet_code, pollutant
