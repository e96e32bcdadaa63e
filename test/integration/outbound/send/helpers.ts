/** A send pipeline over a memory store, recording what it publishes (for the step tests). */
import { newCounters } from '../../../../src/integration/outbound/counters';
import { EventOutbox } from '../../../../src/integration/outbound/events';
import { resolveOutboundOptions, type OutboundOptions } from '../../../../src/integration/outbound/options';
import type { SendPipeline } from '../../../../src/integration/outbound/send/pipeline';
import { MemoryStore } from '../../../../src/store';
import type { IntegrationConfig } from '../../../../src/types';

export const TOKEN = 'TOKEN-123456';

export const channel = (over: Partial<IntegrationConfig> = {}): IntegrationConfig => ({
  id: 'c1', tenantId: 't1', platform: 'telegram', status: 'active', secrets: ['whsec_abcdef'], credentials: { token: TOKEN }, settings: {}, ...over,
});

export const quietLogger = () => ({ warn: jest.fn(), error: jest.fn(), info: jest.fn() });

export type Recorded = SendPipeline & { events: Array<{ channel: string; payload: Record<string, unknown>; msgID: string }> };

export function pipeline(over: Partial<SendPipeline> = {}, options: OutboundOptions = {}): Recorded {
  const events: Recorded['events'] = [];
  const publish = async (c: string, p: unknown, o: { msgID: string }) => { events.push({ channel: c, payload: p as Record<string, unknown>, msgID: o.msgID }); };
  const logger = quietLogger();
  return {
    events,
    integration: 'tg', platform: 'telegram', channels: { sent: 'ns.sent', failed: 'ns.failed' },
    lookupChannel: async (id) => (id === 'c1' ? channel() : null),
    store: new MemoryStore(),
    send: async (message) => ({ messageId: `m-${message.conversationId}` }),
    publish, outbox: new EventOutbox(publish, logger, 1000), logger,
    options: resolveOutboundOptions('t', { retry: { initialDelayMs: 1, maxDelayMs: 5 }, ...options }), counters: newCounters(),
    ...over,
  };
}

export const message = { conversationId: 'x', content: { type: 'text' as const, text: 'hi' } };
