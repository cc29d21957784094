/**
 * Regularized incomplete beta integral, a port of Cephes `incbet.c` as
 * shipped in scipy (`scipy/special/cephes/incbet.c`): power series for small
 * b·x, otherwise one of two continued fractions, with the same switch points.
 * Student's t p-values (`stdtr`) are built on it.
 */
import { MACHEP, MAXLOG, MINLOG, beta, lgam } from './cephes';

const MAXGAM = 171.6243769563027;
const BIG = 2 ** 52;
const BIGINV = 2 ** -52;

function lbeta(a: number, b: number): number {
  return lgam(a) + lgam(b) - lgam(a + b);
}

function continuedFraction(a: number, b: number, x: number, second: boolean): number {
  let k1 = a;
  let k2 = second ? b - 1.0 : a + b;
  let k3 = a;
  let k4 = a + 1.0;
  let k5 = 1.0;
  let k6 = second ? a + b : b - 1.0;
  let k7 = a + 1.0;
  let k8 = a + 2.0;
  const z = second ? x / (1.0 - x) : x;
  let pkm2 = 0.0;
  let qkm2 = 1.0;
  let pkm1 = 1.0;
  let qkm1 = 1.0;
  let ans = 1.0;
  let r = 1.0;
  const thresh = 3.0 * MACHEP;
  for (let n = 0; n < 300; n++) {
    let xk = -(z * k1 * k2) / (k3 * k4);
    let pk = pkm1 + pkm2 * xk;
    let qk = qkm1 + qkm2 * xk;
    pkm2 = pkm1;
    pkm1 = pk;
    qkm2 = qkm1;
    qkm1 = qk;
    xk = (z * k5 * k6) / (k7 * k8);
    pk = pkm1 + pkm2 * xk;
    qk = qkm1 + qkm2 * xk;
    pkm2 = pkm1;
    pkm1 = pk;
    qkm2 = qkm1;
    qkm1 = qk;
    if (qk !== 0) r = pk / qk;
    let t: number;
    if (r !== 0) {
      t = Math.abs((ans - r) / r);
      ans = r;
    } else t = 1.0;
    if (t < thresh) break;
    k1 += 1.0;
    k3 += 2.0;
    k4 += 2.0;
    k5 += 1.0;
    k7 += 2.0;
    k8 += 2.0;
    if (second) {
      k2 -= 1.0;
      k6 += 1.0;
    } else {
      k2 += 1.0;
      k6 -= 1.0;
    }
    if (Math.abs(qk) + Math.abs(pk) > BIG) {
      pkm2 *= BIGINV;
      pkm1 *= BIGINV;
      qkm2 *= BIGINV;
      qkm1 *= BIGINV;
    }
    if (Math.abs(qk) < BIGINV || Math.abs(pk) < BIGINV) {
      pkm2 *= BIG;
      pkm1 *= BIG;
      qkm2 *= BIG;
      qkm1 *= BIG;
    }
  }
  return ans;
}

function powerSeries(a: number, b: number, x: number): number {
  const ai = 1.0 / a;
  let u = (1.0 - b) * x;
  let v = u / (a + 1.0);
  const t1 = v;
  let t = u;
  let n = 2.0;
  let s = 0.0;
  const z = MACHEP * ai;
  while (Math.abs(v) > z) {
    u = ((n - b) * x) / n;
    t *= u;
    v = t / (a + n);
    s += v;
    n += 1.0;
  }
  s += t1;
  s += ai;
  u = a * Math.log(x);
  if (a + b < MAXGAM && Math.abs(u) < MAXLOG) {
    return s * (1.0 / beta(a, b)) * Math.pow(x, a);
  }
  const logS = -lbeta(a, b) + u + Math.log(s);
  return logS < MINLOG ? 0.0 : Math.exp(logS);
}

export function incbet(aa: number, bb: number, xx: number): number {
  if (aa <= 0.0 || bb <= 0.0 || Number.isNaN(xx)) return NaN;
  if (xx <= 0.0 || xx >= 1.0) {
    if (xx === 0.0) return 0.0;
    if (xx === 1.0) return 1.0;
    return NaN;
  }
  if (bb * xx <= 1.0 && xx <= 0.95) return powerSeries(aa, bb, xx);
  const w0 = 1.0 - xx;
  let flag = false;
  let a: number;
  let b: number;
  let x: number;
  let xc: number;
  if (xx > aa / (aa + bb)) {
    flag = true;
    a = bb;
    b = aa;
    xc = xx;
    x = w0;
  } else {
    a = aa;
    b = bb;
    xc = w0;
    x = xx;
  }
  let t: number;
  if (flag && b * x <= 1.0 && x <= 0.95) {
    t = powerSeries(a, b, x);
  } else {
    const y0 = x * (a + b - 2.0) - (a - 1.0);
    const w = y0 < 0.0 ? continuedFraction(a, b, x, false) : continuedFraction(a, b, x, true) / xc;
    let y = a * Math.log(x);
    t = b * Math.log(xc);
    if (a + b < MAXGAM && Math.abs(y) < MAXLOG && Math.abs(t) < MAXLOG) {
      t = Math.pow(xc, b);
      t *= Math.pow(x, a);
      t /= a;
      t *= w;
      t *= 1.0 / beta(a, b);
    } else {
      y += t - lbeta(a, b);
      y += Math.log(w / a);
      t = y < MINLOG ? 0.0 : Math.exp(y);
    }
  }
  if (flag) t = t <= MACHEP ? 1.0 - MACHEP : 1.0 - t;
  return t;
}

/** Two-sided Student's t p-value, 2·stdtr(df, −|t|) = I_{df/(df+t²)}(df/2, 1/2). */
export function studentTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || Number.isNaN(df)) return NaN;
  if (t === 0) return 1;
  if (!Number.isFinite(t)) return 0;
  return incbet(0.5 * df, 0.5, df / (df + t * t));
}
