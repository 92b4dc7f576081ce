/**
 * Seeded, reproducible random streams (sfc32, seeded through splitmix32). The samplers draw from a stream
 * derived from (study seed, trial number), so a trial's parameters depend only on the seed, its number and
 * the finished trials before it — not on process state, restarts or which worker asked.
 */
export interface Rng {
  /** Uniform in [0, 1) with 53 random bits. */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal. */
  normal(): number;
}

function splitmix32(a: number): () => number {
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

/** Mixes numbers into one 32-bit seed (order matters). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    // fold the integer and fraction parts so that large and non-integer seeds both mix
    const hi = Math.floor(p / 4294967296) | 0;
    const lo = p >>> 0;
    for (const w of [lo, hi]) {
      h = Math.imul(h ^ w, 0x01000193);
      h = splitmix32(h)();
    }
  }
  return h >>> 0;
}

/** A random stream from a seed (and optional stream keys, e.g. the trial number). */
export function rng(seed: number, ...stream: number[]): Rng {
  const init = splitmix32(mixSeed(seed, ...stream));
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const u32 = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) u32();
  let spare = NaN;
  const next = (): number => ((u32() >>> 5) * 67108864 + (u32() >>> 6)) / 9007199254740992;
  return {
    next,
    int: (n: number): number => Math.min(n - 1, Math.floor(next() * n)),
    normal(): number {
      if (spare === spare) {
        const s = spare;
        spare = NaN;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}

/** A fresh seed when none was given (not reproducible by design). */
export const randomSeed = (): number => Math.floor(Math.random() * 2 ** 31);
