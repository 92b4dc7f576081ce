import { QuantlabError } from '../core';
import type { Storage } from './storage';
import { MemoryStorage } from './storage-memory';
import { PostgresStorage } from './storage-postgres';
import { SqliteStorage } from './storage-sqlite';

/**
 * Opens a storage from its URL: 'memory:' (this process only), 'sqlite:PATH' (a file; created with its
 * folder), 'postgres://user:pass@host:port/db' or 'postgresql://…'.
 */
export function openStorage(url: string): Storage {
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  const scheme = m?.[1]?.toLowerCase();
  switch (scheme) {
    case 'memory':
      return new MemoryStorage();
    case 'sqlite': {
      // sqlite:PATH, sqlite:/abs/path, sqlite:///abs/path
      const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
      if (!path) throw new QuantlabError('BAD_ARGUMENT', `storage URL ${JSON.stringify(url)}: expected a file path after 'sqlite:', found none`);
      return new SqliteStorage(path);
    }
    case 'postgres':
    case 'postgresql':
      return new PostgresStorage(url);
    default:
      throw new QuantlabError(
        'BAD_ARGUMENT',
        `storage URL ${JSON.stringify(url)}: unknown scheme ${scheme ? `'${scheme}:'` : '(none)'}; expected 'memory:', 'sqlite:PATH' or 'postgres://user@host:port/db'`,
      );
  }
}
