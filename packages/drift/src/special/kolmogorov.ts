/* eslint-disable no-loss-of-precision -- coefficients copied verbatim from the C sources; the literals round to the same doubles the C compiler produces. */
/**
 * One-sample Kolmogorov–Smirnov distributions as scipy 1.10.1 computes them:
 * `smirnov` (cephes/kolmogorov.c, double-double sums) and the two-sided
 * `kolmogn` survival function (scipy/stats/_ksstats.py: Simard & L'Ecuyer's
 * choice among Durbin-MTW, Pomeranz, Pelz-Good and 2*smirnov).
 */
import * as dd from './dd';
import type { DD } from './dd';
import { MINLOG } from './cephes';

const DBL_EPSILON = 2.220446049250313e-16;
const SMIRNOV_MAX_COMPUTE_N = 1000000;
const SM_UPPER_MAX_TERMS = 3;
const SM_UPPERSUM_MIN_N = 10;

function modNX(n: number, x: number): { alpha: number; nxfloor: number } {
  const nxD = dd.twoProd(n, x);
  const nxfloorD = dd.floorDD(nxD);
  const alphaD = dd.sub(nxD, nxfloorD);
  let alpha = alphaD.hi;
  let nxfloor = Math.trunc(nxfloorD.hi);
  if (alpha === 1) {
    nxfloor += 1;
    alpha = 0;
  }
  return { alpha, nxfloor };
}

function powD(a: DD, m: number): DD {
  if (m <= 0) {
    if (m === 0) return dd.DD_ONE;
    return dd.div(dd.DD_ONE, powD(a, -m));
  }
  powInto(a.hi, a.lo, m);
  return { hi: R_HI, lo: R_LO };
}

function pow2(a: number, b: number, m: number): number {
  return powD(dd.twoSum(a, b), m).hi;
}

// The summation below runs up to n times for n up to 10^6, so its
// double-double helpers write their results into these registers instead
// of allocating objects.
let R_HI = 0;
let R_LO = 0;
let R_E = 0;
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const HI_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** Normalizes (hi, lo) to a mantissa in [0.5, 1) and an exponent, as dd_frexp. */
function ddFrexpInto(hi: number, lo: number): void {
  if (hi === 0 || !Number.isFinite(hi)) {
    R_HI = hi;
    R_LO = lo;
    R_E = 0;
    return;
  }
  F64[0] = hi;
  const bits = U32[HI_WORD] as number;
  const biased = (bits >>> 20) & 0x7ff;
  if (biased === 0) {
    const [man, e] = dd.ddFrexp({ hi, lo });
    R_HI = man.hi;
    R_LO = man.lo;
    R_E = e;
    return;
  }
  let exponent = biased - 1022;
  U32[HI_WORD] = (bits & 0x800fffff) | (1022 << 20);
  let man = F64[0] as number;
  let b1 = dd.ldexp(lo, -exponent);
  if (Math.abs(man) === 0.5 && man * b1 < 0) {
    man *= 2;
    b1 *= 2;
    exponent -= 1;
  }
  R_HI = man;
  R_LO = b1;
  R_E = exponent;
}

/** (hi + lo)^m for m >= 1, as kolmogorov.c's pow_D (pow() plus a first-order correction). */
function powInto(hi: number, lo: number, m: number): void {
  if (hi === 0) {
    R_HI = 0;
    R_LO = 0;
    return;
  }
  const ans = Math.pow(hi, m);
  const r = lo / hi;
  let adj = m * r;
  if (Math.abs(adj) > 1e-8) {
    if (Math.abs(adj) < 1e-4) adj += m * r * (((m - 1) / 2.0) * r);
    else adj = Math.expm1(m * Math.log1p(r));
  }
  const b = ans * adj;
  const s = ans + b;
  const bb = s - ans;
  R_HI = s;
  R_LO = ans - (s - bb) + (b - bb);
}

const SPLITTER = 134217729.0;

const TWO_500 = 2 ** 500;
const TWO_M500 = 2 ** -500;

/**
 * (hi + lo)^m for an integer m >= 1 as mantissa (R_HI, R_LO) in [0.5, 1)
 * times 2^R_E. Same quantity as kolmogorov.c's pow2Scaled_D; instead of
 * splitting m and calling pow() three times it squares and multiplies with
 * exact power-of-two rescaling (within ~2 log2(m) ulps), then applies the
 * first-order correction for `lo` as pow_D does.
 */
function scaledPowInto(hi: number, lo: number, m: number): void {
  if (m === 0) {
    R_HI = 1;
    R_LO = 0;
    R_E = 0;
    return;
  }
  ddFrexpInto(hi, lo);
  const yhi = R_HI;
  const ylo = R_LO;
  let bE = R_E;
  let result = 1;
  let rE = 0;
  let base = yhi;
  let k = m;
  while (k > 0) {
    if (k & 1) {
      result *= base;
      rE += bE;
      if (result < TWO_M500) {
        result *= TWO_500;
        rE -= 500;
      }
    }
    k >>>= 1;
    if (k) {
      base *= base;
      bE *= 2;
      if (base < TWO_M500) {
        base *= TWO_500;
        bE -= 500;
      }
    }
  }
  const r = ylo / yhi;
  let adj = m * r;
  if (Math.abs(adj) > 1e-8) {
    if (Math.abs(adj) < 1e-4) adj += m * r * (((m - 1) / 2.0) * r);
    else adj = Math.expm1(m * Math.log1p(r));
  }
  const b = result * adj;
  const sum = result + b;
  const bb = sum - result;
  ddFrexpInto(sum, result - (sum - bb) + (b - bb));
  R_E += rE;
}

/** (a / b) + c as a double-double in the registers (dd_div_d_d then dd_add_dd_d). */
function divAddInto(a: number, b: number, c: number): void {
  const q1 = a / b;
  const p = q1 * b;
  let t = SPLITTER * q1;
  const qh = t - (t - q1);
  const ql = q1 - qh;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const pErr = qh * bh - p + qh * bl + ql * bh + ql * bl;
  const sHi = a - p;
  const bb0 = sHi - a;
  const sLo = a - (sHi - bb0) - (p + bb0);
  const q2 = (sHi + (sLo - pErr)) / b;
  const hi0 = q1 + q2;
  const lo0 = q2 - (hi0 - q1);
  const s1 = hi0 + c;
  const bb = s1 - hi0;
  const s2 = hi0 - (s1 - bb) + (c - bb) + lo0;
  R_HI = s1 + s2;
  R_LO = s2 - (R_HI - s1);
}

/** Double-double product into the registers (operands are doubles-pairs). */
function mulInto(ahi: number, alo: number, bhi: number, blo: number): void {
  const p = ahi * bhi;
  let t = SPLITTER * ahi;
  const ah = t - (t - ahi);
  const al = ahi - ah;
  t = SPLITTER * bhi;
  const bh = t - (t - bhi);
  const bl = bhi - bh;
  const err = ah * bh - p + ah * bl + al * bh + al * bl + (ahi * blo + alo * bhi);
  const s = p + err;
  R_HI = s;
  R_LO = err - (s - p);
}

function pow4D(a: number, b: number, c: number, d: number, m: number): DD {
  if (m <= 0) {
    if (m === 0) return dd.DD_ONE;
    return pow4D(c, d, a, b, -m);
  }
  const A = dd.twoSum(a, b);
  const C = dd.twoSum(c, d);
  if (dd.isZero(A)) return dd.isZero(C) ? { hi: NaN, lo: NaN } : dd.DD_ZERO;
  if (dd.isZero(C)) return A.hi < 0 ? { hi: -Infinity, lo: 0 } : { hi: Infinity, lo: 0 };
  return powD(dd.div(A, C), m);
}

/** Survival function of the one-sided one-sample KS statistic D+_n (scipy.special.smirnov). */
export function smirnov(n: number, x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (!(n > 0 && x >= 0.0 && x <= 1.0)) return NaN;
  if (n === 1) return 1 - x;
  if (x === 0.0) return 1.0;
  if (x === 1.0) return 0.0;

  const { alpha, nxfloor: nxfl } = modNX(n, x);
  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1);
  let n1mxceil = n - nxfl;
  if (alpha === 0) {
    n1mxfl -= 1;
    n1mxceil += 1;
  }
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    const t = pow2(1, x, n - 1);
    const cdf = x * t;
    return clip01(1 - cdf);
  }
  if (-2 * n * x * x < MINLOG) return 0;
  if (nxfl >= n - 1) return clip01(pow2(1, -x, n));
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logp = -Math.pow(6.0 * n * x + 1, 2) / 18.0 / n;
    if (logp < -Math.LN2) return clip01(Math.exp(logp));
    return clip01(1 - -Math.expm1(logp));
  }
  const nUpperTerms = n - n1mxceil + 1;
  let bUseUpperSum = nUpperTerms <= 1 && x < 0.5;
  bUseUpperSum =
    bUseUpperSum || (n >= SM_UPPERSUM_MIN_N && nUpperTerms <= SM_UPPER_MAX_TERMS && x <= 0.5 / Math.sqrt(n));

  let start = 0;
  let step = 1;
  let nTerms = n1mxfl + 1;
  const vmid = Math.trunc(n / 2);
  let Cexpt = 0;
  let Aj: DD;
  if (bUseUpperSum) {
    start = n;
    step = -1;
    nTerms = n - n1mxceil + 1;
    Aj = pow4D(1, x, 1, 0, n - 1);
  } else {
    const t2 = pow4D(1, -x, 1, 0, n);
    Aj = dd.div(t2, dd.fromNumber(x));
  }
  let AjSum = dd.add(dd.DD_ZERO, Aj);

  let sumHi = AjSum.hi;
  let sumLo = AjSum.lo;
  let cHi = 1;
  let cLo = 0;
  const updateBinomial = (j: number): void => {
    const rat = dd.divdd(n - j, j + 1.0);
    mulInto(cHi, cLo, rat.hi, rat.lo);
    ddFrexpInto(R_HI, R_LO);
    cHi = R_HI;
    cLo = R_LO;
    Cexpt += R_E;
  };
  updateBinomial(0);
  for (let j = 1; j < nTerms; j += 1) {
    const v = start + j * step;
    // A_v = C(n, v) * (1 - x - v/n)^(n-v) * (x + v/n)^(v-1)
    divAddInto(n - v, n, -x);
    scaledPowInto(R_HI, R_LO, n - v);
    const t2hi = R_HI;
    const t2lo = R_LO;
    const t2E = R_E;
    divAddInto(v, n, x);
    scaledPowInto(R_HI, R_LO, v - 1);
    const t1E = R_E;
    mulInto(R_HI, R_LO, t2hi, t2lo);
    mulInto(R_HI, R_LO, cHi, cLo);
    const scale = Cexpt + t1E + t2E;
    const ajHi = dd.ldexp(R_HI, scale);
    const ajLo = dd.ldexp(R_LO, scale);
    if (Number.isFinite(ajHi) && ajHi !== 0) {
      const sum = dd.add({ hi: sumHi, lo: sumLo }, { hi: ajHi, lo: ajLo });
      sumHi = sum.hi;
      sumLo = sum.lo;
    }
    if (ajHi !== 0) {
      if (4 * (nTerms - j) * Math.abs(ajHi) < DBL_EPSILON * sumHi && j !== nTerms - 1) break;
    } else if (j > vmid) {
      break;
    }
    updateBinomial(j);
  }
  AjSum = { hi: sumHi, lo: sumLo };
  const prob = dd.mulDDd(AjSum, x).hi;
  return clip01(step < 0 ? 1 - prob : prob);
}

function clip01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

// ---------------------------------------------------------------------------
// Two-sided one-sample distribution (scipy.stats.kstwo), _ksstats.py

const E128 = 128;
const EP128 = 2 ** 128;
const EM128 = 2 ** -128;
const SQRT2PI = Math.sqrt(2 * Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);
const MIN_LOG = -708;
const SQRT3 = Math.sqrt(3);
const PI_SQUARED = Math.PI ** 2;
const PI_FOUR = Math.PI ** 4;
const PI_SIX = Math.PI ** 6;
const STIRLING_COEFFS = [
  -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
  -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
];

function polyval(coeffs: readonly number[], x: number): number {
  let y = 0;
  for (const c of coeffs) y = y * x + c;
  return y;
}

function logNfactorialDivNPowN(n: number): number {
  const rn = 1.0 / n;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * polyval(STIRLING_COEFFS, rn / n);
}

/** Pr(D_n <= d) by the Durbin matrix algorithm (Marsaglia-Tsang-Wang). */
function kolmognDMTW(n: number, d: number): number {
  if (d >= 1.0) return 1.0;
  const nd = n * d;
  if (nd <= 0.5) return 0.0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  let H: Float64Array = new Float64Array(m * m);
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  for (let j = 1; j <= m; j++) v[j - 1] = 1.0 - h ** j;
  let fac = 1.0;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (v[j - 1] as number) * fac;
  }
  const tt = Math.max(2 * h - 1.0, 0) ** m - 2 * h ** m;
  v[m - 1] = (1.0 + tt) * fac;
  for (let i = 1; i < m; i++) {
    // H[i-1:, i] = w[:m-i+1]
    for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - i + 1] as number;
  }
  for (let r = 0; r < m; r++) H[r * m] = v[r] as number;
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c] as number;

  let Hpwr: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) Hpwr[i * m + i] = 1;
  let nn = n;
  let expnt = 0;
  let Hexpnt = 0;
  while (nn > 0) {
    if (nn % 2) {
      Hpwr = matmul(Hpwr, H, m);
      expnt += Hexpnt;
    }
    H = matmul(H, H, m);
    Hexpnt *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)] as number) > EP128) {
      for (let i = 0; i < H.length; i++) H[i] = (H[i] as number) / EP128;
      Hexpnt += E128;
    }
    nn = Math.floor(nn / 2);
  }
  let p = Hpwr[(k - 1) * m + (k - 1)] as number;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= EP128;
      expnt -= E128;
    }
  }
  if (expnt !== 0) p = dd.ldexp(p, expnt);
  return clip01(p);
}

function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k] as number;
      if (aik === 0) continue;
      const rowB = k * m;
      const rowO = i * m;
      for (let j = 0; j < m; j++) out[rowO + j] = (out[rowO + j] as number) + aik * (b[rowB + j] as number);
    }
  }
  return out;
}

function pomeranzJ1J2(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const ip1div2 = Math.floor((i + 1) / 2);
    const ip1mod2 = (i + 1) % 2;
    if (ip1mod2 === 0) {
      if (ip1div2 === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1;
        j2 = ip1div2 + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1;
      j2 = ip1div2 + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** Pr(D_n <= x) by the Pomeranz recursion. */
function kolmognPomeranz(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = 1.0 * (t - ll);
  const g = Math.min(f, 1.0 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gpower = new Float64Array(npwrs);
  const twogpower = new Float64Array(npwrs);
  const onem2gpower = new Float64Array(npwrs);
  gpower[0] = 1.0;
  twogpower[0] = 1.0;
  onem2gpower[0] = 1.0;
  let expnt = 0;
  const gOverN = g / n;
  const twoGOverN = (2 * g) / n;
  const oneMinusTwoGOverN = (1 - 2 * g) / n;
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = ((gpower[m - 1] as number) * gOverN) / m;
    twogpower[m] = ((twogpower[m - 1] as number) * twoGOverN) / m;
    onem2gpower[m] = ((onem2gpower[m - 1] as number) * oneMinusTwoGOverN) / m;
  }
  let V0 = new Float64Array(npwrs);
  let V1 = new Float64Array(npwrs);
  V1[0] = 1;
  let V0s = 0;
  let V1s = 0;
  let [j1, j2] = pomeranzJ1J2(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    const tmp = V0;
    V0 = V1;
    V1 = tmp;
    const tmps = V0s;
    V0s = V1s;
    V1s = tmps;
    V1.fill(0.0);
    [j1, j2] = pomeranzJ1J2(i, n, ll, ceilf, roundf);
    let pwrs: Float64Array;
    if (i === 1 || i === 2 * n + 1) pwrs = gpower;
    else pwrs = i % 2 ? twogpower : onem2gpower;
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      // conv = np.convolve(V0[k1 - V0s : k1 - V0s + ln2], pwrs[:ln2]); take conv[j1-k1 : j1-k1+len]
      const convStart = j1 - k1;
      const convLen = j2 - j1 + 1;
      const base = k1 - V0s;
      const aLen = Math.min(ln2, npwrs - base);
      const bLen = Math.min(ln2, npwrs);
      let maxV = 0;
      for (let c = 0; c < convLen; c++) {
        const idx = convStart + c;
        let s = 0;
        const lo = Math.max(0, idx - (bLen - 1));
        const hi = Math.min(idx, aLen - 1);
        for (let a = lo; a <= hi; a++) s += (V0[base + a] as number) * (pwrs[idx - a] as number);
        V1[c] = s;
        if (s > maxV) maxV = s;
      }
      if (maxV > 0 && maxV < EM128) {
        for (let c = 0; c < npwrs; c++) V1[c] = (V1[c] as number) * EP128;
        expnt -= E128;
      }
      V1s = V0s + j1 - k1;
    }
  }
  let ans = V1[n - V1s] as number;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > EP128) {
      ans *= EM128;
      expnt += E128;
    }
    ans *= m;
  }
  if (expnt !== 0) ans = dd.ldexp(ans, expnt);
  return clip01(ans);
}

/** Pelz-Good approximation to Pr(D_n <= x). */
function kolmognPelzGood(n: number, x: number): number {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const z = Math.sqrt(n) * x;
  const zsquared = z ** 2;
  const zthree = z ** 3;
  const zfour = z ** 4;
  const zsix = z ** 6;
  const qlog = -PI_SQUARED / 8 / zsquared;
  if (qlog < MIN_LOG) return 0.0;
  let q = Math.exp(qlog);
  const k1a = -zsquared;
  const k1b = PI_SQUARED / 4;
  const k2a = 6 * zsix + 2 * zfour;
  const k2b = ((2 * zfour - 5 * zsquared) * PI_SQUARED) / 4;
  const k2c = (PI_FOUR * (1 - 2 * zsquared)) / 16;
  const k3d = (PI_SIX * (5 - 30 * zsquared)) / 64;
  const k3c = (PI_FOUR * (-60 * zsquared + 212 * zfour)) / 16;
  const k3b = (PI_SQUARED * (135 * zfour - 96 * zsix)) / 4;
  const k3a = -30 * zsix - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const msquared = m ** 2;
    const mfour = m ** 4;
    const msix = m ** 6;
    const qpower = Math.pow(q, 8 * k);
    const coeffs = [
      1.0,
      k1a + k1b * msquared,
      k2a + k2b * msquared + k2c * mfour,
      k3a + k3b * msquared + k3c * mfour + k3d * msix,
    ];
    for (let i = 0; i < 4; i++) K[i] = (K[i] as number) * qpower + (coeffs[i] as number);
  }
  const denoms = [z, 6 * zfour, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = ((K[i] as number) * q * SQRT2PI) / (denoms[i] as number);
  q = Math.exp(-PI_SQUARED / 2 / zsquared);
  const sqrt3z = SQRT3 * z;
  let k2extra = 0;
  let k3extra = 0;
  // np.sum over ks = maxk..1: pairwise summation for short arrays is sequential
  const k2terms: number[] = [];
  const k3terms: number[] = [];
  for (let k = maxk; k > 0; k--) {
    const ksq = k * k;
    const kspi = Math.PI * k;
    const qp = Math.pow(q, ksq);
    k2terms.push(ksq * qp);
    k3terms.push((sqrt3z + kspi) * (sqrt3z - kspi) * ksq * qp);
  }
  k2extra = npSum(k2terms);
  k3extra = npSum(k3terms);
  k2extra *= (PI_SQUARED * SQRT2PI) / (-36 * zthree);
  K[2] = (K[2] as number) + k2extra;
  k3extra *= (PI_SQUARED * SQRT2PI) / (216 * zsix);
  K[3] = (K[3] as number) + k3extra;
  for (let i = 0; i < 4; i++) K[i] = (K[i] as number) / Math.pow(n * 1.0, i / 2.0);
  return (K[0] as number) + (K[1] as number) + (K[2] as number) + (K[3] as number);
}

/** numpy's pairwise summation (blocks of 8 accumulators below 128 elements). */
export function npSum(values: ArrayLike<number>, start = 0, length = values.length): number {
  if (length < 8) {
    let s = 0;
    for (let i = 0; i < length; i++) s += values[start + i] as number;
    return s;
  }
  if (length <= 128) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let j = 0; j < 8; j++) r[j] = values[start + j] as number;
    let i = 8;
    for (; i < length - (length % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] = (r[j] as number) + (values[start + i + j] as number);
    }
    let res =
      (r[0] as number) +
      (r[1] as number) +
      ((r[2] as number) + (r[3] as number)) +
      ((r[4] as number) + (r[5] as number) + ((r[6] as number) + (r[7] as number)));
    for (; i < length; i++) res += values[start + i] as number;
    return res;
  }
  let n2 = Math.floor(length / 2);
  n2 -= n2 % 8;
  return npSum(values, start, n2) + npSum(values, start + n2, length - n2);
}

/** Survival function Pr(D_n > x) of the two-sided one-sample KS statistic (scipy.stats.kstwo.sf). */
export function kstwoSf(n: number, x: number): number {
  if (Number.isNaN(n) || Number.isNaN(x)) return NaN;
  if (Math.trunc(n) !== n || n <= 0) return NaN;
  if (x >= 1.0) return 0.0;
  if (x <= 0.0) return 1.0;
  const t = n * x;
  if (t <= 1.0) {
    if (t <= 0.5) return 1.0;
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= i * (1.0 / n) * (2 * t - 1);
    } else {
      prob = Math.exp(logNfactorialDivNPowN(n) + n * Math.log(2 * t - 1));
    }
    return clip01(1.0 - prob);
  }
  if (t >= n - 1) return clip01(2 * (1.0 - x) ** n);
  if (x >= 0.5) return clip01(2 * smirnov(n, x));
  const nxsquared = t * x;
  if (n <= 140) {
    if (nxsquared <= 0.754693) return clip01(1.0 - kolmognDMTW(n, x));
    if (nxsquared <= 4) return clip01(1.0 - kolmognPomeranz(n, x));
    return clip01(2 * smirnov(n, x));
  }
  if (nxsquared >= 370.0) return 0.0;
  if (nxsquared >= 2.2) return clip01(2 * smirnov(n, x));
  let cdfprob: number;
  if (nxsquared >= 18.0) cdfprob = 1.0;
  else if (n <= 100000 && n * x ** 1.5 <= 1.4) cdfprob = kolmognDMTW(n, x);
  else cdfprob = kolmognPelzGood(n, x);
  return clip01(1.0 - cdfprob);
}
