/** JSON-key filters for channel consumers and webhook subscriptions. */
export { jsonKeyEquals, jsonKeyIn, jsonKeyExists, allOf, anyOf, noneOf } from './json-key';
export type { JsonKeyFilter } from './json-key';
export { parseJsonKeyPath } from './path';
export { jsonEqual } from './equality';
