-- Station-day AQI of one city for a date range, with the station's name.
SELECT d.date, d.station_code, s.name_zh AS station, d.aqi, d.aqi_status, d.category_zh, d.category_en,
       d.primary_pollutant, d.valid_day, d.edition
FROM air_station_day AS d
JOIN station AS s ON s.station_code = d.station_code
WHERE s.city_zh = :city AND d.date >= :first_date AND d.date <= :last_date
ORDER BY d.date, d.station_code
