/** `@switchboard/sdk/config`: broker options and every variable read from the environment, start-up messages, observability settings. */
export { createBrokerConfig, readEnv, ENV_VARIABLES, DEFAULT_PORT, DEFAULT_NAMESPACE, LOG_LEVELS } from '../config';
export type { BrokerConfigOptions, SwitchboardEnv, LogLevel } from '../config';
export { DEFAULT_MEMORY_HOST, DEFAULT_CLUSTER_HOST } from '../config';
export { configOrExit, explainNatsStartError } from '../config/start-up';
export { OPS_ENV_VARIABLES, TRACING_EXPORTERS, readOpsEnv } from '../config/ops-env';
export type { OpsEnv, TracingExporterName } from '../config/ops-env';
