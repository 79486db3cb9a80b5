/**
 * Ziggurat tables for Go's NormFloat64 (128 strips) and ExpFloat64 (256 strips),
 * computed with the table set-up of Marsaglia & Tsang, "The Ziggurat Method for
 * Generating Random Variables" (J. Stat. Soft. 5(8), 2000), in float64 and rounded
 * to float32 as Go stores them. The tests check every entry against the tables Go
 * publishes in src/math/rand/{normal,exp}.go.
 */

/** Right edge of the normal base strip; Go's `rn`. */
export const NORM_R = 3.442619855899;
/** Right edge of the exponential base strip; Go's `re`. */
export const EXP_R = 7.69711747013105; // Go's literal 7.69711747013104972, as a float64

export interface Ziggurat {
  /** Acceptance thresholds on the raw 32-bit draw. */
  k: Uint32Array;
  /** Strip widths scaled by 2^-31 (normal) or 2^-32 (exponential), float32 values. */
  w: Float64Array;
  /** Density at each strip edge, float32 values. */
  f: Float64Array;
}

/** Area of each normal strip (the paper's `vn`). */
const NORM_V = 9.91256303526217e-3;
/** Area of each exponential strip (the paper's `ve`). */
const EXP_V = 3.949659822581572e-3;
/** The paper's exponential base edge; Go's `re` differs from it in the last digits only. */
const EXP_D = 7.697117470131487;

function normalTables(): Ziggurat {
  const n = 128;
  const m1 = 2147483648;
  const k = new Uint32Array(n);
  const w = new Float64Array(n);
  const f = new Float64Array(n);
  let dn = NORM_R;
  let tn = dn;
  const q = NORM_V / Math.exp(-0.5 * dn * dn);
  k[0] = Math.trunc((dn / q) * m1);
  k[1] = 0;
  w[0] = Math.fround(q / m1);
  w[n - 1] = Math.fround(dn / m1);
  f[0] = 1;
  f[n - 1] = Math.fround(Math.exp(-0.5 * dn * dn));
  for (let i = n - 2; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(NORM_V / dn + Math.exp(-0.5 * dn * dn)));
    k[i + 1] = Math.trunc((dn / tn) * m1);
    tn = dn;
    f[i] = Math.fround(Math.exp(-0.5 * dn * dn));
    w[i] = Math.fround(dn / m1);
  }
  return { k, w, f };
}

function expTables(): Ziggurat {
  const n = 256;
  const m2 = 4294967296;
  const k = new Uint32Array(n);
  const w = new Float64Array(n);
  const f = new Float64Array(n);
  let de = EXP_D;
  let te = de;
  const q = EXP_V / Math.exp(-de);
  k[0] = Math.trunc((de / q) * m2);
  k[1] = 0;
  w[0] = Math.fround(q / m2);
  w[n - 1] = Math.fround(de / m2);
  f[0] = 1;
  f[n - 1] = Math.fround(Math.exp(-de));
  for (let i = n - 2; i >= 1; i--) {
    de = -Math.log(EXP_V / de + Math.exp(-de));
    k[i + 1] = Math.trunc((de / te) * m2);
    te = de;
    f[i] = Math.fround(Math.exp(-de));
    w[i] = Math.fround(de / m2);
  }
  return { k, w, f };
}

export const NORMAL_ZIGGURAT: Ziggurat = normalTables();
export const EXP_ZIGGURAT: Ziggurat = expTables();
