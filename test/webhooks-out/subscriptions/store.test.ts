/** The subscription store on the in-memory KeyValueStore. */
import { MemoryStore } from '../../../src/store';
import { subscriptionStoreContract } from './store-contract';

subscriptionStoreContract('memory', async () => new MemoryStore(), (s) => s.close());
