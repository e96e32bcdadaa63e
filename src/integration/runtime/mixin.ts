/** The mixin that builds an integration service's one runtime in `created` (with the queued-send consumer) and disposes it in `stopped`. */
import type { Service, ServiceSchema } from 'moleculer';
import type { IntegrationConfig } from '../../types';
import { resolveInboundOptions } from '../options';
import { SEND_MESSAGE_PARAMS } from '../outbound/actions';
import { resolveOutboundOptions } from '../outbound/options';
import { compileSendParamsCheck, queueConsumer } from '../outbound/queue';
import type { IntegrationServiceConfig } from '../types';
import { createIntegrationRuntime, disposeIntegrationRuntime } from './index';

/**
 * Builds the runtime in `created` — the inbound side when the config has one (`normalize`), the outbound
 * side always — subscribes the queued-send consumer on `<ns>.outbound.send` (unless
 * `outbound.queue.enabled` is false or there is no `sendMessage`), and in `stopped` closes the event
 * outbox and releases the store. The options are resolved here, when the service is defined.
 */
export function integrationRuntimeMixin<TPayload, TChannel extends IntegrationConfig>(config: IntegrationServiceConfig<TPayload, TChannel>): ServiceSchema {
  const where = `defineIntegration(${JSON.stringify(config.name)})`;
  const options = {
    ...(typeof config.normalize === 'function' ? { inbound: resolveInboundOptions(where, config.inbound) } : {}),
    outbound: resolveOutboundOptions(where, config.outbound),
  };
  return {
    name: `${config.name}-runtime`,
    created(this: Service) {
      const { outbound } = createIntegrationRuntime(this, config, options);
      if (outbound.options.queue.enabled && config.sendMessage) {
        // Read by the channels middleware right after `created`; a copy, so the schema object stays untouched.
        const schema = this.schema as ServiceSchema & { channels?: Record<string, unknown> };
        const check = compileSendParamsCheck(this.broker, SEND_MESSAGE_PARAMS);
        schema.channels = { ...(schema.channels ?? {}), [outbound.queueChannel]: queueConsumer(this, outbound, check) };
      }
    },
    async stopped(this: Service) {
      await disposeIntegrationRuntime(this);
    },
  };
}

/** The runtime mixin under its public name: mix it (with `createOutboundActions`) into a service to send through the pipeline. */
export const outboundMixin = integrationRuntimeMixin;
