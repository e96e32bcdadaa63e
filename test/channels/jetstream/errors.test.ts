/** Typed provisioning errors and the JetStream API codes read from `api_error.err_code`, not from messages. */
import { ConfigError } from '../../../src/errors';
import {
  isConsumerConflict, isNotFound, isProvisionError, isRetryableProvisioning, isStreamConflict, isStreamNameInUse, isWrongLastSequence,
  JsApiErrorCode, ProvisionError, ProvisionErrorReason,
} from '../../../src/channels/jetstream/errors';

const apiError = (code: number, err_code?: number, description = 'whatever the server says') =>
  Object.assign(new Error(description), { api_error: { code, err_code, description } });

it('a ProvisionError is a ConfigError whose reason travels in data and is read by the predicates', () => {
  const e = new ProvisionError(ProvisionErrorReason.StreamConflict, 'conflict', { stream: 'S' });
  expect(e).toBeInstanceOf(ConfigError);
  expect(e.data).toMatchObject({ stream: 'S', reason: 'STREAM_CONFLICT' });
  expect([isProvisionError(e), isStreamConflict(e), isConsumerConflict(e)]).toEqual([true, true, false]);
  expect(isConsumerConflict(new ProvisionError(ProvisionErrorReason.ConsumerConflict, 'push'))).toBe(true);
  expect(isStreamConflict(new Error('stream conflict'))).toBe(false); // a message is not a reason
});

it('retryable: transient provisioning failures and foreign errors (timeouts); not conflicts or other config errors', () => {
  expect(isRetryableProvisioning(new ProvisionError(ProvisionErrorReason.StreamUnreadable, 'x'))).toBe(true);
  expect(isRetryableProvisioning(new ProvisionError(ProvisionErrorReason.StreamNotCreated, 'x'))).toBe(true);
  expect(isRetryableProvisioning(new Error('TIMEOUT'))).toBe(true);
  expect(isRetryableProvisioning(new ProvisionError(ProvisionErrorReason.StreamConflict, 'x'))).toBe(false);
  expect(isRetryableProvisioning(new ProvisionError(ProvisionErrorReason.ConsumerConflict, 'x'))).toBe(false);
  expect(isRetryableProvisioning(new ConfigError('bad option'))).toBe(false);
});

it('JetStream API errors are told apart by err_code, whatever the message', () => {
  expect(isNotFound(apiError(404, JsApiErrorCode.StreamNotFound, 'stream not found'))).toBe(true);
  expect(isNotFound(apiError(404, JsApiErrorCode.ConsumerNotFound))).toBe(true);
  expect(isNotFound(apiError(404))).toBe(true); // an older server without err_code
  expect(isNotFound(apiError(500, 10_001, 'not found in my cache'))).toBe(false);
  expect(isNotFound(new Error('not found'))).toBe(false);
  expect(isStreamNameInUse(apiError(400, JsApiErrorCode.StreamNameInUse))).toBe(true);
  expect(isStreamNameInUse(new Error('stream name already in use'))).toBe(false);
  expect(isWrongLastSequence(apiError(400, JsApiErrorCode.WrongLastSequence))).toBe(true);
});
