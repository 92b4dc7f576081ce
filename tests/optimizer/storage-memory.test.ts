import { MemoryStorage } from '../../lib/optimizer/storage-memory';
import { storageSuite } from './storage-suite';

const shared = new MemoryStorage();
storageSuite('memory', async () => shared, { shared: true });
