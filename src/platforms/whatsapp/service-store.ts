/** The broker's shared store, held by a WhatsApp service from `created` to `stopped` (windows, token marks). */
import type { Service } from 'moleculer';
import { acquireStore, releaseStore, type KeyValueStore } from '../../store';

const STORE = Symbol('switchboard.whatsapp.store');
type WithStore = Service & { [STORE]?: KeyValueStore };

/** The service's store; taken on first use (a hook called before `created`), released by {@link releaseServiceStore}. */
export function serviceStore(service: Service): KeyValueStore {
  const held = (service as WithStore)[STORE];
  if (held) return held;
  return ((service as WithStore)[STORE] = acquireStore(service.broker));
}

/** Gives the service's store back (from `stopped`). */
export async function releaseServiceStore(service: Service): Promise<void> {
  if (!(service as WithStore)[STORE]) return;
  delete (service as WithStore)[STORE];
  await releaseStore(service.broker);
}
