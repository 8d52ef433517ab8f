-- Device monitoring, part 1: the readings and the failure model.
-- Needs `DEFINE kserve_url = 'http://127.0.0.1:8080';` before it (run.sh writes that line).

SET 'auto.offset.reset' = 'earliest';

-- Every 3 seconds each device sends one sample (temperature in its site's unit, vibration in
-- mm/s RMS, error events since the previous sample) plus the one-minute summary its firmware keeps.
CREATE STREAM sensor_readings (
    device_id        STRING KEY,
    site             STRING,
    unit             STRING,
    reading_ts       BIGINT,
    temp             DOUBLE,
    vibration        DOUBLE,
    error_events     INTEGER,
    temp_avg_1m      DOUBLE,
    temp_max_1m      DOUBLE,
    vibration_avg_1m DOUBLE,
    error_events_1m  INTEGER
  ) WITH (KAFKA_TOPIC = 'sensor_readings', VALUE_FORMAT = 'JSON', PARTITIONS = 1, TIMESTAMP = 'reading_ts');

-- The scikit-learn failure model (scripts/ml/train.py) served by KServe over the Open Inference
-- Protocol. INPUT/OUTPUT are declared so that the engine can start while the server is down;
-- leave them out and CREATE MODEL discovers them from GET /v2/models/failure.
-- Rows the model cannot score after retries go to a dead-letter topic instead of stopping the query.
CREATE MODEL failure_model
  INPUT (temp_mean DOUBLE, temp_max DOUBLE, vibration DOUBLE, event_count DOUBLE)
  OUTPUT (score DOUBLE)
  WITH (PROVIDER = 'kserve-v2', ENDPOINT = '${kserve_url}', MODEL_NAME = 'failure',
        BATCH_SIZE = 256, MAX_IN_FLIGHT = 4, TIMEOUT = '5s', RETRIES = 3,
        ON_ERROR = 'DEAD_LETTER', DEAD_LETTER_TOPIC = 'failure_model_dlq');
