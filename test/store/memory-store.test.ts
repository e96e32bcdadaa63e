import { MemoryStore } from '../../src/store';
import { storeContract } from './store-contract';

storeContract('memory', async () => new MemoryStore(), (s) => s.close());
