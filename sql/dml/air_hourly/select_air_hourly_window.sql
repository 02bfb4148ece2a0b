-- The six measured pollutants of one natural day (hour_end from D 01:00 to D+1 00:00 inclusive).
SELECT station_code, hour_end, pollutant, value
FROM air_hourly
WHERE hour_end >= :window_start AND hour_end <= :window_end
  AND pollutant IN ('so2', 'no2', 'pm10', 'co', 'o3', 'pm25')
