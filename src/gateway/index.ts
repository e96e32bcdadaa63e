export { healthReport } from './health';
export type { HealthReport, ComponentStatus } from './health';
