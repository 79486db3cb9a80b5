import { describe, expect, it } from 'vitest';
import { fnv1a64, GoRand, PartitionedRNG, SUBSYSTEM_WORKLOAD } from '../../src/sim/rng.ts';
import { RNG_COOKED } from '../../src/sim/rng-tables.ts';
import { EXP_ZIGGURAT, NORMAL_ZIGGURAT } from '../../src/sim/rng-ziggurat.ts';
import { GO_FE, GO_FN, GO_KE, GO_KN, GO_WE, GO_WN } from './go-rand-tables.ts';

const f32 = (xs: number[]) => xs.map((x) => Math.fround(x));
const cooked = (i: number) =>
  BigInt.asIntN(64, (BigInt(RNG_COOKED.hi[i]!) << 32n) | BigInt(RNG_COOKED.lo[i]!));

describe('Go math/rand tables', () => {
  it('computes the normal ziggurat exactly as Go publishes it', () => {
    expect(Array.from(NORMAL_ZIGGURAT.k)).toEqual(GO_KN);
    expect(Array.from(NORMAL_ZIGGURAT.w)).toEqual(f32(GO_WN));
    expect(Array.from(NORMAL_ZIGGURAT.f)).toEqual(f32(GO_FN));
  });

  it('computes the exponential ziggurat exactly as Go publishes it', () => {
    expect(Array.from(EXP_ZIGGURAT.k)).toEqual(GO_KE);
    expect(Array.from(EXP_ZIGGURAT.w)).toEqual(f32(GO_WE));
    expect(Array.from(EXP_ZIGGURAT.f)).toEqual(f32(GO_FE));
  });

  it('holds Go 1.19 rngCooked (spot checks against rng.go, both the 64- and 63-bit forms)', () => {
    expect(RNG_COOKED.hi.length).toBe(607);
    expect(cooked(0)).toBe(-4181792142133755926n);
    expect(cooked(1)).toBe(-4576982950128230565n);
    expect(cooked(2)).toBe(1395769623340756751n);
    const mask = (1n << 63n) - 1n;
    // Go's older 63-bit table is the low 63 bits of the same state.
    expect(BigInt.asUintN(64, cooked(0)) & mask).toBe(5041579894721019882n);
    expect(BigInt.asUintN(64, cooked(100)) & mask).toBe(2238025036817854944n);
    expect(BigInt.asUintN(64, cooked(300)) & mask).toBe(2058427839513754051n);
    expect(BigInt.asUintN(64, cooked(606)) & mask).toBe(4152330101494654406n);
  });
});

describe('GoRand', () => {
  it('matches the reference check values for seed 42', () => {
    const r = new GoRand(42);
    expect([r.intn(128000), r.intn(128000), r.intn(128000)]).toEqual([48305, 38987, 1668]);
    expect(r.normFloat64()).toBe(1.2440150150762053);
    expect(r.float64()).toBe(0.043818458599374305);
  });

  it('reproduces the well-known Go sequence of rand.NewSource(1)', () => {
    const r = new GoRand(1);
    expect([r.int63(), r.int63(), r.int63()]).toEqual([
      5577006791947779410n,
      8674665223082153551n,
      6129484611666145821n,
    ]);
  });

  it('seeds modulo 2^31 − 1, maps 0 to 89482311 and accepts negative and bigint seeds', () => {
    const draw = (seed: bigint | number) => new GoRand(seed).int63();
    expect(draw(0)).toBe(draw(89482311));
    expect(draw(42 + 2147483647)).toBe(draw(42));
    expect(draw(-5)).toBe(draw(2147483647 - 5));
    expect(draw(42n)).toBe(draw(42));
    expect(draw(-(2n ** 63n))).toBe(draw((-(2n ** 63n) % 2147483647n) + 2147483647n));
  });

  it('derives Uint32, Int31 and Float64 from the same Int63 draw', () => {
    const a = new GoRand(7);
    const b = new GoRand(7);
    const c = new GoRand(7);
    const d = new GoRand(7);
    for (let i = 0; i < 1000; i++) {
      const v = a.int63();
      expect(b.uint32()).toBe(Number(v >> 31n));
      expect(c.int31()).toBe(Number(v >> 32n));
      expect(d.float64()).toBe(Number(v) / 2 ** 63);
    }
  });

  it('keeps Intn in range, with the power-of-two and rejection paths', () => {
    const r = new GoRand(3);
    for (const n of [1, 2, 3, 7, 1024, 128000, 2147483647]) {
      for (let i = 0; i < 200; i++) {
        const v = r.intn(n);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThan(n);
      }
    }
    expect(() => r.intn(0)).toThrow(RangeError);
    expect(Number(new GoRand(3).int63n(10n ** 15n))).toBeLessThan(1e15);
  });

  it('fills token arrays exactly as successive Intn calls', () => {
    for (const n of [128000, 1024, 3]) {
      const a = new GoRand(11);
      const filled = new GoRand(11).fillIntn(new Int32Array(5000), n);
      for (let i = 0; i < filled.length; i++) expect(filled[i]).toBe(a.intn(n));
    }
  });

  it('draws normal and exponential variates with the right moments', () => {
    const r = new GoRand(2024);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let e = 0;
    for (let i = 0; i < n; i++) {
      const x = r.normFloat64();
      s += x;
      s2 += x * x;
      e += r.expFloat64();
    }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
    expect(Math.abs(e / n - 1)).toBeLessThan(0.01);
  });
});

describe('PartitionedRNG', () => {
  it('hashes names with FNV-1a 64', () => {
    expect(fnv1a64('')).toBe(BigInt.asIntN(64, 0xcbf29ce484222325n));
    expect(fnv1a64('a')).toBe(BigInt.asIntN(64, 0xaf63dc4c8601ec8cn));
  });

  it('gives "workload" the master seed and other subsystems seed XOR hash, cached', () => {
    const p = new PartitionedRNG(42);
    expect(p.forSubsystem(SUBSYSTEM_WORKLOAD).intn(128000)).toBe(48305);
    expect(p.forSubsystem(SUBSYSTEM_WORKLOAD).intn(128000)).toBe(38987);
    const gen = p.forSubsystem('workload-gen');
    expect(p.forSubsystem('workload-gen')).toBe(gen);
    expect(gen.int63()).toBe(new GoRand(42n ^ fnv1a64('workload-gen')).int63());
  });
});
