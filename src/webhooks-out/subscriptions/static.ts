/** Static subscriptions from `SWITCHBOARD_SUBSCRIPTIONS` (a JSON array, or a path to a JSON file), written into the store at start. */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../errors';
import type { SubscriptionStore } from './store';
import type { StaticSubscriptionInput } from './types';
import { checkStaticSubscription } from './validate';

export const SUBSCRIPTIONS_VARIABLE = 'SWITCHBOARD_SUBSCRIPTIONS';

/**
 * Parses the value of `SWITCHBOARD_SUBSCRIPTIONS`: a JSON array of `{ id, tenantId, url, events, filter?,
 * description?, ordering?, status?, secret | secrets }`, or a path to a file holding one. Throws
 * `ConfigError` naming the variable and the entry (never a secret). Empty/unset → `[]`.
 */
export function parseSubscriptionsSource(value: string | undefined): StaticSubscriptionInput[] {
  if (value === undefined || value.trim() === '') return [];
  let text = value.trim();
  if (!text.startsWith('[') && !text.startsWith('{')) {
    try {
      text = readFileSync(text, 'utf8');
    } catch (err) {
      throw new ConfigError(`${SUBSCRIPTIONS_VARIABLE} is neither a JSON array nor a readable file: ${value.slice(0, 200)}`, { variable: SUBSCRIPTIONS_VARIABLE }, err);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${SUBSCRIPTIONS_VARIABLE} does not hold valid JSON: ${(err as Error).message}`, { variable: SUBSCRIPTIONS_VARIABLE });
  }
  if (!Array.isArray(parsed)) throw new ConfigError(`${SUBSCRIPTIONS_VARIABLE} must hold a JSON array of subscriptions`, { variable: SUBSCRIPTIONS_VARIABLE });
  const seen = new Set<string>();
  return parsed.map((item, index) => {
    let entry: StaticSubscriptionInput;
    try {
      entry = checkStaticSubscription(item);
    } catch (err) {
      throw new ConfigError(`${SUBSCRIPTIONS_VARIABLE}[${index}]: ${(err as Error).message}`, { variable: SUBSCRIPTIONS_VARIABLE, index });
    }
    if (seen.has(entry.id)) throw new ConfigError(`${SUBSCRIPTIONS_VARIABLE}[${index}]: subscription id ${entry.id} appears twice`, { variable: SUBSCRIPTIONS_VARIABLE, index });
    seen.add(entry.id);
    return entry;
  });
}

/**
 * Makes the store's static subscriptions exactly `subscriptions`: each written (run-time status kept), and
 * static ones no longer configured deleted. Returns how many were written and removed. Every node may run
 * it at start with the same configuration.
 */
export async function seedSubscriptions(store: SubscriptionStore, subscriptions: StaticSubscriptionInput[]): Promise<{ written: number; removed: number }> {
  for (const subscription of subscriptions) await store.putStatic(subscription);
  const wanted = new Set(subscriptions.map((s) => s.id));
  let removed = 0;
  for (const id of await store.staticIds()) {
    if (wanted.has(id)) continue;
    if (await store.delete(id)) removed += 1;
  }
  return { written: subscriptions.length, removed };
}
