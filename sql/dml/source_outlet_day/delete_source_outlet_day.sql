DELETE FROM source_outlet_day WHERE date >= :first_date AND date <= :last_date
