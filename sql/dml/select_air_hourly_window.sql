-- The six measured pollutants of one natural day (hour_end in (start, end]).
SELECT station_code, hour_end, pollutant, value
FROM air_hourly
WHERE hour_end > :window_start AND hour_end <= :window_end
  AND pollutant IN ('so2', 'no2', 'pm10', 'co', 'o3', 'pm25')
