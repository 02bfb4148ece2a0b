-- v_compliance_rates: the plan's compliance rates (达标率), as computed each night.
-- Grain: one row per rate, scope and period (YYYY or YYYY-MM).
-- Question: "what share of Qiantang main-stream sections, drinking-water sources and key polluters met
-- their standard, and against which target?" Water rates: GB 3838-2002 classes against each section's
-- target class; source rates: outlet-days within their emission limits (GB 13223 / GB 8978 / ...).
DROP VIEW IF EXISTS v_compliance_rates;
CREATE VIEW v_compliance_rates AS
SELECT
    indicator,
    CASE
        WHEN indicator LIKE 'water.qiantang%' THEN 'water'
        WHEN indicator LIKE 'water.drinking%' THEN 'water'
        WHEN indicator LIKE 'sources.%' THEN 'sources'
        ELSE 'air'
    END                                     AS domain,
    scope,
    period,
    CASE WHEN length(period) = 4 THEN 'year' ELSE 'month' END AS period_kind,
    value                                   AS rate_pct,
    comparator,
    target                                  AS target_pct,
    status,
    n,
    detail
FROM indicator
WHERE unit = '%' AND target IS NOT NULL
  AND (indicator LIKE '%compliance%' OR indicator LIKE 'water.drinking%'
       OR indicator LIKE 'water.qiantang%' OR indicator = 'air.good_day_ratio'
       OR indicator = 'sources.key_steady');
