SELECT pollutant, kind, value_t, baseline_year, reduction_pct, note FROM source_cap ORDER BY pollutant
