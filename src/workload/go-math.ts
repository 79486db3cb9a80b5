/**
 * Go `math` semantics the workload generators depend on for BLIS parity: rounding,
 * float-to-int conversion, and the Gamma function used by the Weibull sampler.
 */

/** Go's math.Round: half away from zero (JS Math.round rounds half toward +∞). */
export function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/*
 * Rational approximation of Γ on [2, 3] from the Cephes library (S. L. Moshier), as
 * used by Go's math.Gamma; the coefficients are the published Cephes values written
 * as the float64s they round to, so Γ matches Go to the last bit where samplers use it.
 */
const GAM_P = [
  1.6011952247675185e-4, 1.1913514700658638e-3, 1.0421379756176158e-2, 4.763678004571372e-2,
  2.0744822764843598e-1, 4.942148268014971e-1, 1,
];
const GAM_Q = [
  -2.3158187332412014e-5, 5.396055804933034e-4, -4.456419138517973e-3, 1.1813978522206043e-2,
  3.5823639860549865e-2, -2.3459179571824335e-1, 7.14304917030273e-2, 1,
];
const EULER = 0.5772156649015329;

/**
 * Γ(x) for 0 < x ≤ 33 with Go's reduction order (recurrence down to [2, 3), then the
 * rational function). The Weibull set-up needs Γ only on [1, 21].
 */
export function goGamma(x: number): number {
  if (!(x > 0 && x <= 33)) throw new RangeError(`goGamma: argument ${x} outside (0, 33]`);
  let z = 1;
  while (x >= 3) {
    x = x - 1;
    z = z * x;
  }
  while (x < 2) {
    if (x < 1e-9) return z / ((1 + EULER * x) * x);
    z = z / x;
    x = x + 1;
  }
  if (x === 2) return z;
  x = x - 2;
  const [p0, p1, p2, p3, p4, p5, p6] = GAM_P as [number, number, number, number, number, number, number];
  const [q0, q1, q2, q3, q4, q5, q6, q7] = GAM_Q as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const p = (((((x * p0 + p1) * x + p2) * x + p3) * x + p4) * x + p5) * x + p6;
  const q = ((((((x * q0 + q1) * x + q2) * x + q3) * x + q4) * x + q5) * x + q6) * x + q7;
  return (z * p) / q;
}

/** Smallest positive float64, Go's math.SmallestNonzeroFloat64. */
export const SMALLEST_NONZERO = Number.MIN_VALUE;
