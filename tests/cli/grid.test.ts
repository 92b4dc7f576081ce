import { describe, expect, it } from 'vitest';
import { parseGridText } from '../../lib/commands/grid';

describe('--grid text (quantlab sweep)', () => {
  it('reads low:high:step (inclusive of high) and lists', () => {
    expect(parseGridText('f', '2:10:4')).toEqual([2, 6, 10]);
    expect(parseGridText('f', '2:9:4')).toEqual([2, 6]);
    expect(parseGridText('f', '0.1:0.3:0.1')).toEqual([0.1, 0.2, 0.3]);
    expect(parseGridText('m', 'sma,ema')).toEqual(['sma', 'ema']);
    expect(parseGridText('f', '5,10,20')).toEqual([5, 10, 20]);
    expect(() => parseGridText('f', '10:2')).toThrow(/--grid f=10:2: expected low:high\[:step\] with low <= high/);
  });
});
