export { createBrokerConfig } from './broker-config';
export type { BrokerConfigOptions } from './broker-config';
export { readEnv, ENV_VARIABLES, DEFAULT_PORT, DEFAULT_NAMESPACE, LOG_LEVELS, DEFAULT_MEMORY_HOST, DEFAULT_CLUSTER_HOST } from './env';
export type { SwitchboardEnv, LogLevel } from './env';
