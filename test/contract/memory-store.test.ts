import { MemoryStore } from '../../src/engine/queue/memory-store.js';
import { describeStoreContract } from './store.contract.js';

describeStoreContract('MemoryStore', () => {
  const store = new MemoryStore();
  return { store, cleanup: () => store.close() };
});
