/** `defineIntegration`: an integration's config → a Moleculer service with the standard `i_*` actions. */
import type { Context, Service } from 'moleculer';
import { ConfigError } from '../errors';
import { CHANNEL_CHANGED_EVENT, type ChannelChangedPayload } from '../registry/types';
import { defineService } from '../service/define-service';
import type { ServiceConfig } from '../service/types';
import type { IntegrationConfig } from '../types';
import { inboundActions } from './inbound/actions';
import { checkAnswers } from './inbound/answers';
import { createOutboundActions } from './outbound/actions';
import { assertCanPublish, findIntegrationRuntime, inboundRuntimeOf } from './runtime';
import { integrationRuntimeMixin } from './runtime/mixin';
import type { IntegrationServiceConfig, IntegrationServiceSchema } from './types';

const SERVICE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function checkConfig(config: IntegrationServiceConfig<never, IntegrationConfig>): void {
  const where = `defineIntegration(${JSON.stringify(config?.name)})`;
  if (typeof config?.name !== 'string' || !SERVICE_NAME.test(config.name)) throw new ConfigError(`${where}: \`name\` must be 1-64 of [A-Za-z0-9_-]`, { option: 'name' });
  if (!config.spec || typeof config.spec.platform !== 'string' || config.spec.platform === '') throw new ConfigError(`${where}: \`spec.platform\` is required`, { option: 'spec.platform' });
  if (typeof config.normalize !== 'function') throw new ConfigError(`${where}: \`normalize\` must be a function`, { option: 'normalize' });
  if (!config.webhookSignature && typeof config.validateSignature !== 'function') {
    throw new ConfigError(`${where}: give \`webhookSignature\` (a scheme) or \`validateSignature\` (a function); webhooks are never accepted unverified`, { option: 'webhookSignature' });
  }
  if (config.webhookSignature && config.validateSignature) {
    throw new ConfigError(`${where}: \`webhookSignature\` and \`validateSignature\` are exclusive; give one`, { option: 'validateSignature' });
  }
  if (config.eventType !== undefined && typeof config.eventType !== 'function') throw new ConfigError(`${where}: \`eventType\` must be a function`, { option: 'eventType' });
  checkAnswers(where, config.answers, config.eventType);
  for (const action of Object.keys(config.actions ?? {})) {
    if (action.startsWith('i_')) throw new ConfigError(`${where}: action \`${action}\`: the i_ prefix is reserved for the standard actions`, { option: `actions.${action}` });
  }
}

/**
 * Builds an integration service: `i_receiveWebhook` and `i_verifyWebhook` (inbound), the outbound
 * actions, and whatever the config adds (settings, methods, actions, lifecycle hooks...).
 */
export function defineIntegration<TPayload = Record<string, unknown>, TChannel extends IntegrationConfig = IntegrationConfig>(
  config: IntegrationServiceConfig<TPayload, TChannel>,
): IntegrationServiceSchema {
  checkConfig(config as unknown as IntegrationServiceConfig<never, IntegrationConfig>);
  const { name, settings, metadata, dependencies, mixins, methods, events, hooks, channels, datasources, memoize } = config;
  const schema = {
    name, settings, metadata, dependencies, methods, hooks, channels, datasources, memoize,
    events: {
      ...events,
      // The registry changed a channel: forget the cached copy now, not at the end of its TTL.
      [CHANNEL_CHANGED_EVENT](this: Service, ctx: Context<ChannelChangedPayload>) {
        findIntegrationRuntime(this)?.lookup.invalidate(ctx.params.channelId);
      },
    },
    // The one runtime: built in the mixin's `created` (before the config's own), disposed in its `stopped` (after the config's).
    mixins: [integrationRuntimeMixin(config), ...(mixins ?? [])],
    created: config.created,
    started: [function (this: Service) { assertCanPublish(this); }, ...asList(config.started)],
    stopped: config.stopped,
    actions: {
      ...config.actions,
      ...inboundActions(config, inboundRuntimeOf),
      ...createOutboundActions(config),
    },
  };
  // Moleculer's mixin merge chokes on keys present but undefined.
  for (const key of Object.keys(schema) as Array<keyof typeof schema>) if (schema[key] === undefined) delete schema[key];
  return defineService(schema as unknown as ServiceConfig) as IntegrationServiceSchema;
}
