-- Device monitoring, part 2 (stateless): features per reading, from the firmware's one-minute
-- summary, in Celsius; the model scores every reading; alerts above 0.8.

CREATE STREAM reading_features AS
  SELECT device_id, site, reading_ts,
         CASE WHEN unit = 'F' THEN (temp_avg_1m - 32) / 1.8 ELSE temp_avg_1m END AS temp_mean,
         CASE WHEN unit = 'F' THEN (temp_max_1m - 32) / 1.8 ELSE temp_max_1m END AS temp_max,
         vibration_avg_1m AS vibration,
         CAST(error_events_1m AS DOUBLE) AS event_count
  FROM sensor_readings
  WHERE temp_avg_1m IS NOT NULL AND temp_max_1m IS NOT NULL AND vibration_avg_1m IS NOT NULL AND error_events_1m IS NOT NULL;

-- One model call per reading (batched per poll), used by both the filter and the output column.
CREATE STREAM device_alerts AS
  SELECT device_id, site, reading_ts, temp_mean, temp_max, vibration, event_count,
         PREDICT(failure_model, temp_mean, temp_max, vibration, event_count)->score AS p_failure
  FROM reading_features
  WHERE PREDICT(failure_model, temp_mean, temp_max, vibration, event_count)->score > 0.8;
