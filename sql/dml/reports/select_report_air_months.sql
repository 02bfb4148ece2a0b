-- A city's monthly good-air-day ratio over one year (v_air_city_month_good_days; one row per month).
-- Months compared as text 'YYYY-MM' (month_start, month_end).
SELECT month, days, valid_days, good_days, good_day_ratio_pct, plan_target_pct
FROM v_air_city_month_good_days
WHERE city = :city AND month >= :month_start AND month <= :month_end
ORDER BY month
