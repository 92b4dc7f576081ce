import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as indicators from '../../lib/indicators';
import { isIndicatorDescriptor } from '../../lib/indicators/descriptor';

const KERNELS = resolve(__dirname, '../../lib/indicators/kernels');
const TRANSFORMS = ['diff', 'pctChange', 'shift']; // series transforms: no state, no streaming twin
const CATALOGUES = ['CANDLE_PATTERNS']; // name -> { whole, stream } of every candlestick pattern

describe('lib/indicators/index.ts (re-exported as ql.*)', () => {
  const names = Object.keys(indicators);
  const has = new Set(names);

  it('exports indicators with their streaming twins, and nothing else at run time', () => {
    expect(names.length).toBeGreaterThan(100);
    const withoutTwin = names.filter((n) => !n.endsWith('Stream') && !n.endsWith('Descriptor') && !has.has(`${n}Stream`));
    expect(withoutTwin.sort()).toEqual([...CATALOGUES, ...TRANSFORMS].sort());
    const orphanStreams = names.filter((n) => n.endsWith('Stream') && !has.has(n.slice(0, -'Stream'.length)));
    expect(orphanStreams).toEqual([]);
  });

  it('exports one descriptor per indicator, each named <name>Descriptor and made by defineIndicator', () => {
    const descriptors = names.filter((n) => n.endsWith('Descriptor'));
    expect(descriptors.length).toBeGreaterThan(50);
    for (const n of descriptors) {
      const d = (indicators as Record<string, unknown>)[n];
      expect(isIndicatorDescriptor(d), n).toBe(true);
      expect(`${(d as { name: string }).name}Descriptor`).toBe(n);
    }
  });

  it('keeps every kernel helper off the public namespace (they stay importable by path)', async () => {
    const files = readdirSync(KERNELS).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    const internal: string[] = [];
    for (const f of files) {
      const mod = (await import(resolve(KERNELS, f))) as Record<string, unknown>;
      internal.push(...Object.keys(mod));
    }
    expect(internal).toContain('smaRun');
    expect(internal).toContain('forEachFiniteRun');
    expect(internal.filter((n) => has.has(n))).toEqual([]);
  });
});
