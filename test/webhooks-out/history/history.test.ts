/** The history stores' shared behaviour, in memory (the Redis one runs the same contract in history.int.test.ts). */
import { MemoryHistory } from '../../../src/webhooks-out/history';
import { historyContract } from './history-contract';

historyContract('MemoryHistory', async () => ({ store: new MemoryHistory(), cleanup: async () => undefined }));
