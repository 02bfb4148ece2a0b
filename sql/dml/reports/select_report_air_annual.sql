-- A city's annual concentrations against the Grade II limits in force for the year
-- (v_air_annual_vs_grade_ii; one row per pollutant). The view's year is TEXT: year_text is 'YYYY'.
SELECT pollutant, value, unit, grade_ii_limit, status, data_complete, valid_days, detail, edition,
       first_day, last_day, n_valid, n_expected, coverage, outlook
FROM v_air_annual_vs_grade_ii
WHERE city = :city AND year = :year_text
ORDER BY pollutant
