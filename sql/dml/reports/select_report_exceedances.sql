-- Exceedance days of one year per outlet and pollutant (v_source_exceedances; one row per outlet and
-- pollutant). Dates compared as text 'YYYY-MM-DD' (year_start, year_end).
SELECT outlet_code, enterprise_zh, outlet_zh, county_zh, pollutant, unit, standard, basis,
       COUNT(*)            AS exceed_days,
       SUM(exceed_hours)   AS exceed_hours,
       MAX(times_limit)    AS max_times_limit,
       MIN(date)           AS first_date,
       MAX(date)           AS last_date
FROM v_source_exceedances
WHERE date >= :year_start AND date <= :year_end
GROUP BY outlet_code, enterprise_zh, outlet_zh, county_zh, pollutant, unit, standard, basis
ORDER BY outlet_code, pollutant, basis
