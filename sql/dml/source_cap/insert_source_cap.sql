INSERT INTO source_cap (pollutant, kind, value_t, baseline_year, reduction_pct, note)
VALUES (:pollutant, :kind, :value_t, :baseline_year, :reduction_pct, :note)
