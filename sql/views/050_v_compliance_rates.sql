-- v_compliance_rates: the plan's compliance rates (达标率), as computed each night.
-- Grain: one row per rate, scope and period (YYYY or YYYY-MM).
-- Question: "what share of Qiantang main-stream sections, drinking-water sources and key polluters met
-- their standard, and against which target?" Water rates: GB 3838-2002 classes against each section's
-- target class; source rates: outlet-days within their emission limits (GB 13223 / GB 8978 / ...).
-- Coverage: a water year needs all 12 months of every section (section-months), a source year 12 months of every
-- key outlet (outlet-months), the good-day ratio HJ 663-2013's days; a period short of it is `coverage` = ytd.
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
    status,                                 -- met | missed (a complete period) | at_risk | on_track (so far) | no_data | unjudged
    n,
    detail,
    first_day,                                    -- first and last day with data in the period (coverage)
    last_day,
    n_valid,                                      -- what is valid against what the standard expects
    n_expected,
    coverage,                                     -- complete (judged met/missed) | ytd (1-N月累计: at_risk/on_track) | partial (unjudged)
    outlook                                       -- a year so far: the at-risk rule and its result ('' if complete)
FROM indicator
WHERE unit = '%' AND target IS NOT NULL
  AND (indicator LIKE '%compliance%' OR indicator LIKE 'water.drinking%'
       OR indicator LIKE 'water.qiantang%' OR indicator = 'air.good_day_ratio'
       OR indicator = 'sources.key_steady');
