/**
 * The model layer: what the engine imports to run CREATE/ALTER/DROP/DESCRIBE MODEL and PREDICT /
 * ML_PREDICT. Open a model with `ModelInvoker.open(modelSpecFromProperties(props, inputs, outputs))`,
 * read its columns from `invoker.schema`, call `invoke(rows)` per batch, `stats()` for DESCRIBE.
 */
export type { ModelColumn, ModelSpec, OnErrorPolicy, PropertyValue, ProviderKind, ProviderSpec, TensorLayout, RetryPolicy, BreakerPolicy } from './spec.ts';
export { MODEL_OPTION_NAMES, alterModelSpec, modelSpecFromProperties, parseDuration, redactedProperties } from './spec.ts';
export type { HealthReport, InvokerOptions, RowOutcome } from './invoker.ts';
export { ModelInvoker } from './invoker.ts';
export type { Health } from './model-client.ts';
export type { ModelSchema, InputTensor } from './schema.ts';
export type { ModelStats, LatencySummary } from './stats.ts';
export type { BreakerSnapshot, BreakerState } from './breaker.ts';
export type { CallFailure, CallFailureKind } from './errors.ts';
export { ModelCallError } from './errors.ts';
export type { TensorDatatype } from './tensor.ts';
export { sqlTypeOfDatatype } from './tensor.ts';
