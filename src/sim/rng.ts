/**
 * A bit-exact port of Go's math/rand v1 (Go 1.19): the additive lagged Fibonacci
 * source and the Rand methods BLIS uses. BLIS parity depends on every draw matching
 * (reference §7.1), so the algorithms follow Go step for step.
 *
 * The 607-word int64 state is kept as two Uint32Arrays (high and low halves) with a
 * manual carry: the simulator draws tens of millions of token IDs per run, and
 * BigInt in that path would be far too slow. BigInt appears only in seeding and in
 * the rarely used 63-bit results.
 */
import { RNG_COOKED } from './rng-tables.ts';
import { EXP_R, EXP_ZIGGURAT, NORM_R, NORMAL_ZIGGURAT } from './rng-ziggurat.ts';

const LEN = 607;
const TAP = 273;
const INT32_MAX = 2147483647;
const TWO32 = 4294967296;
const TWO63 = 2 ** 63;

/** Park–Miller step used only for seeding: x' = 48271·x mod (2^31 − 1), without overflow. */
function seedrand(x: number): number {
  const hi = Math.trunc(x / 44488);
  const lo = x % 44488;
  const y = 48271 * lo - 3399 * hi;
  return y < 0 ? y + INT32_MAX : y;
}

/** A Go `rand.New(rand.NewSource(seed))`. Method names follow Go's, in camelCase. */
export class GoRand {
  private readonly hi = new Uint32Array(LEN);
  private readonly lo = new Uint32Array(LEN);
  private tap = 0;
  private feed = LEN - TAP;
  /** Low word of the most recent step; the high word is returned by `step`. */
  private lastLo = 0;

  constructor(seed: bigint | number) {
    this.seed(seed);
  }

  /** Go's rngSource.Seed: the seed is reduced mod 2^31 − 1 and expanded by Park–Miller. */
  seed(seed: bigint | number): void {
    this.tap = 0;
    this.feed = LEN - TAP;
    let s = BigInt.asIntN(64, BigInt(seed)) % BigInt(INT32_MAX);
    if (s < 0n) s += BigInt(INT32_MAX);
    if (s === 0n) s = 89482311n;
    let x = Number(s);
    for (let i = -20; i < LEN; i++) {
      x = seedrand(x);
      if (i >= 0) {
        // u = x1<<40 ^ x2<<20 ^ x3 in wrapping int64 arithmetic, built in 32-bit halves.
        const x1 = x;
        const x2 = seedrand(x1);
        x = seedrand(x2);
        const uHi = ((x1 & 0xffffff) << 8) ^ (x2 >>> 12);
        const uLo = (x2 << 20) ^ x;
        this.hi[i] = uHi ^ RNG_COOKED.hi[i]!;
        this.lo[i] = uLo ^ RNG_COOKED.lo[i]!;
      }
    }
  }

  /** One source step (Go's Uint64): vec[feed] += vec[tap]; returns the new high word. */
  private step(): number {
    let tap = this.tap - 1;
    if (tap < 0) tap += LEN;
    let feed = this.feed - 1;
    if (feed < 0) feed += LEN;
    this.tap = tap;
    this.feed = feed;
    const lo = this.lo;
    const hi = this.hi;
    const s = lo[feed]! + lo[tap]!;
    const h = (hi[feed]! + hi[tap]! + (s > 0xffffffff ? 1 : 0)) >>> 0;
    lo[feed] = s;
    hi[feed] = h;
    this.lastLo = s >>> 0;
    return h;
  }

  /** Full 64-bit draw as an unsigned BigInt (Go's Uint64). */
  uint64(): bigint {
    const h = this.step();
    return (BigInt(h) << 32n) | BigInt(this.lastLo);
  }

  /** Non-negative 63-bit draw, exact, as a BigInt (Go's Int63). */
  int63(): bigint {
    const h = this.step() & 0x7fffffff;
    return (BigInt(h) << 32n) | BigInt(this.lastLo);
  }

  /** Bits 31..62 of Int63 (Go's Uint32). */
  uint32(): number {
    const h = this.step() & 0x7fffffff;
    return ((h << 1) | (this.lastLo >>> 31)) >>> 0;
  }

  /** Bits 32..62 of Int63 (Go's Int31). The hot path: no BigInt, no allocation. */
  int31(): number {
    return this.step() & 0x7fffffff;
  }

  /** Go's Int31n: power-of-two mask, otherwise rejection of the biased top range. */
  int31n(n: number): number {
    if (n <= 0 || n > INT32_MAX) throw new RangeError(`int31n: invalid argument ${n}`);
    if ((n & (n - 1)) === 0) return this.int31() & (n - 1);
    const max = INT32_MAX - (2147483648 % n);
    let v = this.int31();
    while (v > max) v = this.int31();
    return v % n;
  }

  /**
   * Fills `out` with successive Intn(n) draws, exactly as a loop of `intn(n)` would,
   * keeping the ring indices in locals: the token-ID path of every generator.
   */
  fillIntn(out: Int32Array, n: number): Int32Array {
    if (n <= 0 || n > INT32_MAX) throw new RangeError(`fillIntn: invalid argument ${n}`);
    const pow2 = (n & (n - 1)) === 0;
    const max = pow2 ? INT32_MAX : INT32_MAX - (2147483648 % n);
    const lo = this.lo;
    const hi = this.hi;
    let tap = this.tap;
    let feed = this.feed;
    for (let k = 0; k < out.length; k++) {
      let v: number;
      do {
        if (--tap < 0) tap += LEN;
        if (--feed < 0) feed += LEN;
        // 32-bit adds with an unsigned carry test: no float arithmetic in the hot loop.
        const a = lo[feed]!;
        const s = (a + lo[tap]!) >>> 0;
        const h = (hi[feed]! + hi[tap]! + (s < a ? 1 : 0)) | 0;
        lo[feed] = s;
        hi[feed] = h;
        v = h & 0x7fffffff;
      } while (v > max);
      out[k] = pow2 ? v & (n - 1) : v % n;
    }
    this.tap = tap;
    this.feed = feed;
    return out;
  }

  /** Go's Int63n (exact, BigInt). */
  int63n(n: bigint): bigint {
    if (n <= 0n) throw new RangeError(`int63n: invalid argument ${n}`);
    if ((n & (n - 1n)) === 0n) return this.int63() & (n - 1n);
    const max = (1n << 63n) - 1n - ((1n << 63n) % n);
    let v = this.int63();
    while (v > max) v = this.int63();
    return v % n;
  }

  /** Go's Intn: Int31n below 2^31, else Int63n. */
  intn(n: number): number {
    if (n <= INT32_MAX) return this.int31n(n);
    return Number(this.int63n(BigInt(n)));
  }

  /** Go's Float64: Int63 / 2^63, drawn again when rounding gives exactly 1. */
  float64(): number {
    for (;;) {
      const h = this.step() & 0x7fffffff;
      // One rounding, as Go's float64(int64) conversion does.
      const f = (h * TWO32 + this.lastLo) / TWO63;
      if (f !== 1) return f;
    }
  }

  /** Go's NormFloat64: 128-strip ziggurat with the wedge test in float32. */
  normFloat64(): number {
    const { k, w, f } = NORMAL_ZIGGURAT;
    for (;;) {
      const j = this.uint32() | 0;
      const i = j & 0x7f;
      let x = j * w[i]!;
      if (Math.abs(j) < k[i]!) return x;
      if (i === 0) {
        for (;;) {
          x = -Math.log(this.float64()) * (1 / NORM_R);
          const y = -Math.log(this.float64());
          if (y + y >= x * x) break;
        }
        return j > 0 ? NORM_R + x : -NORM_R - x;
      }
      if (wedge(f[i]!, f[i - 1]!, this.float64()) < Math.fround(Math.exp(-0.5 * x * x))) return x;
    }
  }

  /** Go's ExpFloat64: 256-strip ziggurat with the wedge test in float32. */
  expFloat64(): number {
    const { k, w, f } = EXP_ZIGGURAT;
    for (;;) {
      const j = this.uint32();
      const i = j & 0xff;
      const x = j * w[i]!;
      if (j < k[i]!) return x;
      if (i === 0) return EXP_R - Math.log(this.float64());
      if (wedge(f[i]!, f[i - 1]!, this.float64()) < Math.fround(Math.exp(-x))) return x;
    }
  }
}

/** fi + float32(u)·(fprev − fi), every operation rounded to float32 as in Go. */
function wedge(fi: number, fprev: number, u: number): number {
  return Math.fround(fi + Math.fround(Math.fround(u) * Math.fround(fprev - fi)));
}

/** The subsystem that BLIS seeds with the master seed itself (the legacy generator's). */
export const SUBSYSTEM_WORKLOAD = 'workload';

const FNV_OFFSET = 14695981039346656037n;
const FNV_PRIME = 1099511628211n;

/** FNV-1a 64 over the UTF-8 bytes of `name`, as a signed int64 (Go's int64(h.Sum64())). */
export function fnv1a64(name: string): bigint {
  let h = FNV_OFFSET;
  for (const b of new TextEncoder().encode(name)) {
    h = BigInt.asUintN(64, (h ^ BigInt(b)) * FNV_PRIME);
  }
  return BigInt.asIntN(64, h);
}

/**
 * BLIS's PartitionedRNG: one independent Go generator per named subsystem, so adding
 * draws in one subsystem never shifts another's sequence. Instances are cached.
 */
export class PartitionedRNG {
  readonly seed: bigint;
  private readonly cache = new Map<string, GoRand>();

  constructor(seed: bigint | number) {
    this.seed = BigInt.asIntN(64, BigInt(seed));
  }

  forSubsystem(name: string): GoRand {
    let rng = this.cache.get(name);
    if (rng === undefined) {
      const seed = name === SUBSYSTEM_WORKLOAD ? this.seed : this.seed ^ fnv1a64(name);
      rng = new GoRand(seed);
      this.cache.set(name, rng);
    }
    return rng;
  }
}
