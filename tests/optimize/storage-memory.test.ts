import { MemoryStorage } from '../../lib/optimize/storage-memory';
import { storageSuite } from './storage-suite';

const shared = new MemoryStorage();
storageSuite('memory', async () => shared, { shared: true });
