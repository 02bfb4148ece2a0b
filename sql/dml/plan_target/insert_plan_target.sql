INSERT INTO plan_target (id, section, indicator_zh, indicator_en, comparator, value, unit, kind, baseline_year, deadline,
    scope, measured_by, source_indicator, plan_text, department)
VALUES (:id, :section, :indicator_zh, :indicator_en, :comparator, :value, :unit, :kind, :baseline_year, :deadline,
    :scope, :measured_by, :source_indicator, :plan_text, :department)
