import { describe, expect, it } from 'vitest';
import { cmaEsSampler, symmetricEigen } from '../../lib/optimizer/samplers/cmaes';
import { gridSampler } from '../../lib/optimizer/samplers/grid';
import { nsga2Sampler, selectElite } from '../../lib/optimizer/samplers/nsga2';
import { randomSampler } from '../../lib/optimizer/samplers/random';
import { tpeSampler } from '../../lib/optimizer/samplers/tpe';
import type { Sampler } from '../../lib/optimizer/samplers/types';
import { rng } from '../../lib/optimizer/rng';
import type { Params, SearchSpace } from '../../lib/optimizer/space';
import { MemoryStorage } from '../../lib/optimizer/storage-memory';
import { createStudy } from '../../lib/optimizer/study';
import { crowding, dominates, minimised, nonDominatedFronts, type TrialRecord } from '../../lib/optimizer/trial';
import { choice, float, int } from '../../lib/params';

const sphereSpace: SearchSpace = { a: float(-1, 1), b: float(-1, 1), c: float(-1, 1), d: int(-10, 10) };
const sphere = (p: Params) => ((p.a as number) - 0.3) ** 2 + ((p.b as number) + 0.2) ** 2 + ((p.c as number) - 0.5) ** 2 + ((p.d as number) / 10 - 0.4) ** 2;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('samplers keep no state outside the records', () => {
  const makers: [string, () => Sampler, number][] = [
    ['random', randomSampler, 1],
    ['grid', gridSampler, 1],
    ['tpe', tpeSampler, 1],
    ['tpe multivariate', () => tpeSampler({ multivariate: true }), 1],
    ['cmaes', () => cmaEsSampler({ popsize: 6 }), 1],
    ['nsga2', () => nsga2Sampler({ population: 8 }), 2],
  ];
  it.each(makers)('%s: a study resumed in a fresh sampler proposes what an uninterrupted one would', async (_name, make, objectives) => {
    const space: SearchSpace = { x: float(-2, 2), n: int(1, 9), m: choice(['p', 'q']) };
    const f = (p: Params) => {
      const v = ((p.x as number) - 0.5) ** 2 + Math.abs((p.n as number) - 4) + (p.m === 'q' ? 0.3 : 0);
      return objectives === 1 ? v : [v, Math.abs((p.x as number) + 1)];
    };
    const directions = Array(objectives).fill('minimize');
    const whole = await createStudy({ space, directions, sampler: make(), seed: 8, name: 'w' });
    const a = await whole.optimize((t) => f(t.params), { trials: 30 });
    const storage = new MemoryStorage();
    const first = await createStudy({ space, directions, sampler: make(), seed: 8, name: 'w', storage });
    await first.optimize((t) => f(t.params), { trials: 17 });
    const second = await createStudy({ space, directions, sampler: make(), seed: 8, name: 'w', storage });
    const b = await second.optimize((t) => f(t.params), { trials: 30 });
    expect(b.trials.map((t) => t.params)).toEqual(a.trials.map((t) => t.params));
  });
});

describe('CMA-ES', () => {
  it('symmetricEigen: V diag(λ) Vᵀ rebuilds the matrix, V orthonormal', () => {
    const r = rng(1);
    const n = 5;
    const M = Float64Array.from({ length: n * n }, () => r.normal());
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) A[i * n + j]! += M[i * n + k]! * M[j * n + k]!;
    const { values, vectors: V } = symmetricEigen(A, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let o = 0;
        for (let k = 0; k < n; k++) {
          s += V[i * n + k]! * values[k]! * V[j * n + k]!;
          o += V[k * n + i]! * V[k * n + j]!;
        }
        expect(s).toBeCloseTo(A[i * n + j]!, 10);
        expect(o).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
  });

  it('converges on a shifted sphere far better than random search (150 trials, median of 5 seeds)', async () => {
    const run = async (sampler: Sampler, seed: number) => {
      const study = await createStudy({ space: sphereSpace, sampler, seed });
      return (await study.optimize((t) => sphere(t.params), { trials: 150 })).best!.values![0]!;
    };
    const cma: number[] = [];
    const rnd: number[] = [];
    for (let s = 0; s < 5; s++) {
      cma.push(await run(cmaEsSampler(), s));
      rnd.push(await run(randomSampler(), s));
    }
    expect(median(cma)).toBeLessThan(0.01);
    expect(median(cma)).toBeLessThan(median(rnd) / 5);
  });

  it('maximises as well (direction handled), and keeps choices legal', async () => {
    const space: SearchSpace = { x: float(0, 10), m: choice(['a', 'b']) };
    const study = await createStudy({ space, sampler: cmaEsSampler(), seed: 2, direction: 'maximize' });
    const r = await study.optimize((t) => -(((t.params.x as number) - 7) ** 2) + (t.params.m === 'b' ? 1 : 0), { trials: 80 });
    expect(r.best!.params.x as number).toBeGreaterThan(6.5);
    expect(r.best!.params.x as number).toBeLessThan(7.5);
  });

  it('refuses several objectives with a clear message', async () => {
    const study = await createStudy({ space: sphereSpace, directions: ['minimize', 'minimize'], sampler: cmaEsSampler(), name: 'mo' });
    await expect(study.ask()).rejects.toThrow(/study 'mo': sampler 'cmaes' optimises one objective, found 2; use 'nsga2'/);
  });
});

describe('NSGA-II', () => {
  // a bi-objective problem with a known front: f1 = x, f2 = 1 − √x·(…) style (ZDT1 with 3 variables)
  const zdtSpace: SearchSpace = { x1: float(0, 1), x2: float(0, 1), x3: float(0, 1) };
  const zdt1 = (p: Params): [number, number] => {
    const x1 = p.x1 as number;
    const g = 1 + (9 * ((p.x2 as number) + (p.x3 as number))) / 2;
    return [x1, g * (1 - Math.sqrt(x1 / g))];
  };
  /** Area dominated by the front up to the reference point (1.1, 11), both minimised. */
  const hypervolume = (pts: number[][]) => {
    const front = pts.filter((p) => p[0]! <= 1.1 && p[1]! <= 11).sort((a, b) => a[0]! - b[0]!);
    let hv = 0;
    let prevY = 11;
    for (const [x, y] of front) {
      if (y! < prevY) {
        hv += (1.1 - x!) * (prevY - y!);
        prevY = y!;
      }
    }
    return hv;
  };

  it('finds a better Pareto front than random search (hypervolume, 300 trials)', async () => {
    const run = async (sampler: Sampler) => {
      const study = await createStudy({ space: zdtSpace, directions: ['minimize', 'minimize'], sampler, seed: 4 });
      const r = await study.optimize((t) => zdt1(t.params), { trials: 300 });
      return hypervolume(r.bestTrials.map((t) => t.values!));
    };
    const nsga = await run(nsga2Sampler({ population: 20 }));
    const rnd = await run(randomSampler());
    expect(nsga).toBeGreaterThan(rnd);
  });

  it('bestTrials is the Pareto front: mutually non-dominated, and every other complete trial is dominated by one of them', async () => {
    const study = await createStudy({ space: zdtSpace, directions: ['minimize', 'maximize'], sampler: nsga2Sampler({ population: 10 }), seed: 1 });
    const r = await study.optimize((t) => {
      const [a, b] = zdt1(t.params);
      return [a, -b];
    }, { trials: 60 });
    const dirs = ['minimize', 'maximize'] as const;
    const front = r.bestTrials;
    expect(front.length).toBeGreaterThan(0);
    for (const a of front) for (const b of front) expect(dominates(minimised(a, dirs), minimised(b, dirs))).toBe(false);
    const inFront = new Set(front.map((t) => t.number));
    for (const t of r.trials) {
      if (inFront.has(t.number)) continue;
      expect(front.some((f) => dominates(minimised(f, dirs), minimised(t, dirs)) || minimised(f, dirs).join() === minimised(t, dirs).join())).toBe(true);
    }
  });

  it('crowding distance: boundary points infinite, interior points the sum of their neighbours’ gaps per objective over its range', () => {
    // one front of four points, minimise both: sorted by f1 the order is a, b, c, d (f2 the reverse)
    const pts = [
      [0, 10],
      [1, 6],
      [3, 2],
      [6, 0],
    ];
    expect(nonDominatedFronts(pts)).toEqual([[0, 1, 2, 3]]);
    const cd = crowding(pts);
    expect(cd[0]).toBe(Infinity);
    expect(cd[3]).toBe(Infinity);
    expect(cd[1]).toBeCloseTo((3 - 0) / 6 + (10 - 2) / 10, 12);
    expect(cd[2]).toBeCloseTo((6 - 1) / 6 + (6 - 0) / 10, 12);
    // two points or fewer: all boundary; a flat objective adds nothing
    expect(Array.from(crowding([[1, 2], [2, 1]]))).toEqual([Infinity, Infinity]);
    const flat = crowding([[0, 5], [1, 5], [2, 5]]);
    expect(flat[1]).toBeCloseTo(1, 12);
  });

  it('selectElite keeps whole fronts first, then the most spread-out points of the next front', () => {
    const rec = (number: number, values: number[]): TrialRecord => ({ number, params: {}, values, state: 'complete', intermediate: {}, datetimeStart: 0, datetimeComplete: 0, heartbeat: 0, worker: '' });
    const pool = [rec(0, [1, 5]), rec(1, [2, 2]), rec(2, [5, 1]), rec(3, [2, 6]), rec(4, [3, 3]), rec(5, [6, 2]), rec(6, [4, 2.5])];
    // front 0: 0, 1, 2; front 1: 3, 4, 5, 6 (4 and 6 interior, 3 and 5 boundary → infinite crowding)
    const elite = selectElite(pool, ['minimize', 'minimize'], 5);
    expect(elite.map((t) => t.number).sort()).toEqual([0, 1, 2, 3, 5]);
  });
});
