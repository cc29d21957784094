/**
 * Just enough double-double arithmetic (a value = hi + lo, |lo| <= ulp(hi)/2)
 * to port scipy's `smirnov` (cephes/kolmogorov.c, which uses dd_real.c), in
 * the usual error-free-transformation style of the QD library.
 */
export interface DD {
  hi: number;
  lo: number;
}

export const DD_ZERO: DD = { hi: 0, lo: 0 };
export const DD_ONE: DD = { hi: 1, lo: 0 };

const SPLITTER = 134217729.0; // 2^27 + 1
const SPLIT_THRESH = 6.69692879491417e299;

function split(a: number): [number, number] {
  if (a > SPLIT_THRESH || a < -SPLIT_THRESH) {
    const as = a * 3.7252902984e-9; // 2^-28
    const temp = SPLITTER * as;
    const hi = temp - (temp - as);
    const lo = as - hi;
    return [hi * 268435456.0, lo * 268435456.0];
  }
  const temp = SPLITTER * a;
  const hi = temp - (temp - a);
  return [hi, a - hi];
}

export function quickTwoSum(a: number, b: number): DD {
  const s = a + b;
  return { hi: s, lo: b - (s - a) };
}

export function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return { hi: s, lo: a - (s - bb) + (b - bb) };
}

export function twoDiff(a: number, b: number): DD {
  const s = a - b;
  const bb = s - a;
  return { hi: s, lo: a - (s - bb) - (b + bb) };
}

export function twoProd(a: number, b: number): DD {
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return { hi: p, lo: ah * bh - p + ah * bl + al * bh + al * bl };
}

export function add(a: DD, b: DD): DD {
  const s = twoSum(a.hi, b.hi);
  const t = twoSum(a.lo, b.lo);
  let s2 = s.lo + t.hi;
  const u = quickTwoSum(s.hi, s2);
  s2 = u.lo + t.lo;
  return quickTwoSum(u.hi, s2);
}

export function neg(a: DD): DD {
  return { hi: -a.hi, lo: -a.lo };
}

export function sub(a: DD, b: DD): DD {
  return add(a, neg(b));
}

export function addDDd(a: DD, b: number): DD {
  const s = twoSum(a.hi, b);
  return quickTwoSum(s.hi, s.lo + a.lo);
}

export function mul(a: DD, b: DD): DD {
  const p = twoProd(a.hi, b.hi);
  return quickTwoSum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
}

export function mulDDd(a: DD, b: number): DD {
  const p = twoProd(a.hi, b);
  return quickTwoSum(p.hi, p.lo + a.lo * b);
}

export function divdd(a: number, b: number): DD {
  const q1 = a / b;
  const p = twoProd(q1, b);
  const s = twoDiff(a, p.hi);
  const e = s.lo - p.lo;
  const q2 = (s.hi + e) / b;
  return quickTwoSum(q1, q2);
}

export function div(a: DD, b: DD): DD {
  const q1 = a.hi / b.hi;
  let r = sub(a, mulDDd(b, q1));
  const q2 = r.hi / b.hi;
  r = sub(r, mulDDd(b, q2));
  const q3 = r.hi / b.hi;
  return addDDd(quickTwoSum(q1, q2), q3);
}

export function fromNumber(a: number): DD {
  return { hi: a, lo: 0 };
}

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const HI_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** C frexp: x = m * 2^e with 0.5 <= |m| < 1. */
export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x) || Number.isNaN(x)) return [x, 0];
  F64[0] = x;
  let exp = ((U32[HI_WORD] as number) >>> 20) & 0x7ff;
  if (exp === 0) {
    // subnormal: scale up first
    const [m, e] = frexp(x * 2 ** 64);
    return [m, e - 64];
  }
  exp -= 1022;
  U32[HI_WORD] = ((U32[HI_WORD] as number) & 0x800fffff) | (1022 << 20);
  return [F64[0] as number, exp];
}

/** 2^k for k in [-1022, 1023], so ldexp needs no Math.pow. */
const POW2 = (() => {
  const table = new Float64Array(2046);
  let v = 1;
  for (let k = 0; k <= 1023; k++) {
    table[k + 1022] = v;
    v *= 2;
  }
  v = 1;
  for (let k = 0; k >= -1022; k--) {
    table[k + 1022] = v;
    v /= 2;
  }
  return table;
})();

/** C ldexp: x * 2^e, without intermediate overflow/underflow. */
export function ldexp(x: number, e: number): number {
  if (e >= -1022 && e <= 1023) return x * (POW2[e + 1022] as number);
  let r = x;
  let k = e;
  while (k > 1023) {
    r *= 2 ** 1023;
    k -= 1023;
  }
  while (k < -1022) {
    r *= 2 ** -1022;
    k += 1022;
  }
  return r * (POW2[k + 1022] as number);
}

export function ddFrexp(a: DD): [DD, number] {
  const [man0, exponent0] = frexp(a.hi);
  let man = man0;
  let exponent = exponent0;
  let b1 = ldexp(a.lo, -exponent);
  // Keep the normalized form when the mantissa is exactly +-0.5 and lo has the opposite sign.
  if (Math.abs(man) === 0.5 && man * b1 < 0) {
    man *= 2;
    b1 *= 2;
    exponent -= 1;
  }
  return [{ hi: man, lo: b1 }, exponent];
}

export function ddLdexp(a: DD, e: number): DD {
  return { hi: ldexp(a.hi, e), lo: ldexp(a.lo, e) };
}

export function floorDD(a: DD): DD {
  const hi = Math.floor(a.hi);
  let lo = 0;
  if (hi === a.hi) lo = Math.floor(a.lo);
  return quickTwoSum(hi, lo);
}

export function isZero(a: DD): boolean {
  return a.hi === 0;
}
