-- Device monitoring, part 2 (windowed): features computed in SQL over one-minute tumbling
-- windows of the raw samples, scored once per device and minute when the window closes.

CREATE TABLE device_minute AS
  SELECT device_id,
         AVG(CASE WHEN unit = 'F' THEN (temp - 32) / 1.8 ELSE temp END) AS temp_mean,
         MAX(CASE WHEN unit = 'F' THEN (temp - 32) / 1.8 ELSE temp END) AS temp_max,
         AVG(vibration) AS vibration,
         CAST(SUM(error_events) AS DOUBLE) AS event_count,
         COUNT(*) AS samples
  FROM sensor_readings
  WINDOW TUMBLING (SIZE 1 MINUTE, GRACE PERIOD 10 SECONDS)
  GROUP BY device_id
  EMIT FINAL;

-- The minutes whose failure probability is above 0.8 (the table's topic is the alert feed:
-- one record per device and minute, since device_minute emits each window once).
CREATE TABLE device_minute_alerts AS
  SELECT device_id, temp_mean, temp_max, vibration, event_count, samples,
         PREDICT(failure_model, temp_mean, temp_max, vibration, event_count)->score AS p_failure
  FROM device_minute
  WHERE PREDICT(failure_model, temp_mean, temp_max, vibration, event_count)->score > 0.8;
