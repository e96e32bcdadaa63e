/** Channel registry on the in-memory store. */
import { MemoryStore } from '../../src/store';
import { registryContract } from './registry-contract';

registryContract('memory', async () => new MemoryStore(), (s) => s.close());
