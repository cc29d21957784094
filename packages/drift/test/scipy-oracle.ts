/**
 * Runs real scipy / numpy (Debian's /usr/bin/python3, scipy 1.10.1) once on a
 * batch of cases and returns its answers: the independent oracle of the
 * randomized tests. Non-finite numbers travel as the strings "inf", "-inf", "nan".
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const PYTHON = '/usr/bin/python3';

const SCRIPT = String.raw`
import json, sys, math
import numpy as np
from scipy import stats, special
from scipy.spatial import distance

def dec(v):
    if isinstance(v, str):
        return float(v)
    if isinstance(v, list):
        return [dec(x) for x in v]
    return v

def enc(v):
    if isinstance(v, dict):
        return {k: enc(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, np.ndarray)):
        return [enc(x) for x in v]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, float, np.floating, np.integer)):
        f = float(v)
        if math.isnan(f): return "nan"
        if math.isinf(f): return "inf" if f > 0 else "-inf"
        return f
    return v

# Evidently 0.4 get_binned_data, transcribed with numpy (pandas-free).
def binned(ref, cur, numerical, feel_zeroes):
    ref = np.asarray(ref, dtype=object if not numerical else float)
    cur = np.asarray(cur, dtype=object if not numerical else float)
    if numerical and len(set(ref.tolist())) > 20:
        bins = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        rp = np.histogram(ref, bins)[0] / len(ref)
        cp = np.histogram(cur, bins)[0] / len(cur)
    else:
        keys = list(set(ref.tolist()) | set(cur.tolist()))
        rc = {k: 0 for k in keys}; cc = {k: 0 for k in keys}
        for v in ref.tolist(): rc[v] += 1
        for v in cur.tolist(): cc[v] += 1
        rp = np.array([rc[k] / len(ref) for k in keys])
        cp = np.array([cc[k] / len(cur) for k in keys])
    if feel_zeroes:
        m = min(rp[rp != 0])
        np.place(rp, rp == 0, m / 10**6 if m <= 0.0001 else 0.0001)
        m = min(cp[cp != 0])
        np.place(cp, cp == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return rp, cp

def run(c):
    k = c["kind"]
    if k == "ks":
        r = stats.ks_2samp(dec(c["x1"]), dec(c["x2"]), alternative=c.get("alternative", "two-sided"), method=c.get("method", "auto"))
        return {"statistic": r.statistic, "pvalue": r.pvalue}
    if k == "wasserstein":
        return stats.wasserstein_distance(dec(c["u"]), dec(c["v"]), c.get("uw"), c.get("vw"))
    if k == "wasserstein_norm":
        ref = np.asarray(dec(c["ref"]), dtype=float)
        return stats.wasserstein_distance(ref, dec(c["cur"])) / max(np.std(ref), 0.001)
    if k == "chisquare":
        r = stats.chisquare(c["obs"], c.get("exp"))
        return {"statistic": r.statistic, "pvalue": r.pvalue}
    if k == "chisquare_evidently":
        ref = c["ref"]; cur = c["cur"]
        keys = list(set(ref) | set(cur))
        rc = {x: 0 for x in keys}; cc = {x: 0 for x in keys}
        for v in ref: rc[v] += 1
        for v in cur: cc[v] += 1
        k_norm = len(cur) / len(ref)
        r = stats.chisquare([cc[x] for x in keys], [rc[x] * k_norm for x in keys])
        return {"statistic": r.statistic, "pvalue": r.pvalue}
    if k == "jensenshannon":
        return distance.jensenshannon(c["p"], c["q"], c.get("base"))
    if k == "psi":
        rp, cp = binned(c["ref"], c["cur"], c["numerical"], True)
        return np.sum((rp - cp) * np.log(rp / cp))
    if k == "jensenshannon_evidently":
        rp, cp = binned(c["ref"], c["cur"], c["numerical"], False)
        return distance.jensenshannon(rp, cp, 2)
    if k == "ztest":
        ref = c["ref"]; cur = c["cur"]
        if len(set(ref)) == 1 and len(set(cur)) == 1 and ref[0] == cur[0]:
            return {"statistic": 0.0, "pvalue": 1.0}
        key = sorted(set(ref) | set(cur))[0]
        r = [0 if x == key else 1 for x in ref]; q = [0 if x == key else 1 for x in cur]
        n1 = len(r); n2 = len(q)
        p1 = float(sum(r)) / n1; p2 = float(sum(q)) / n2
        P = float(p1 * n1 + p2 * n2) / (n1 + n2)
        z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
        return {"statistic": z, "pvalue": 2 * (1 - stats.norm.cdf(np.abs(z)))}
    if k == "mannw":
        r = stats.mannwhitneyu(dec(c["ref"]), dec(c["cur"]), alternative="less", method=c.get("method", "auto"))
        return {"statistic": r.statistic, "pvalue": r.pvalue}
    if k == "t_test":
        r = stats.ttest_ind(dec(c["ref"]), dec(c["cur"]))
        return {"statistic": r.statistic, "pvalue": r.pvalue}
    if k == "anderson":
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = stats.anderson_ksamp([np.asarray(dec(c["ref"])), np.asarray(dec(c["cur"]))])
        return {"statistic": r.statistic, "pvalue": r.significance_level}
    if k == "cramer_von_mises":
        r = stats.cramervonmises_2samp(dec(c["ref"]), dec(c["cur"]))
        return {"statistic": r.statistic, "pvalue": r.pvalue}
    if k == "ed":
        return stats.energy_distance(dec(c["ref"]), dec(c["cur"]))
    if k == "es":
        r = stats.epps_singleton_2samp(dec(c["ref"]), dec(c["cur"]))
        return {"statistic": r.statistic, "pvalue": r.pvalue}
    if k == "fisher_exact":
        r = stats.fisher_exact(c["table"])
        return {"statistic": r[0], "pvalue": r[1]}
    if k == "fisher_exact_evidently":
        ref = c["ref"]; cur = c["cur"]
        cats = sorted(set(ref) | set(cur))
        if len(cats) != 2: cats = cats + ["placeholder"]
        one = cats[1]
        table = [[sum(1 for x in cur if x == one), sum(1 for x in cur if x != one)],
                 [sum(1 for x in ref if x == one), sum(1 for x in ref if x != one)]]
        r = stats.fisher_exact(table)
        return {"statistic": r[0], "pvalue": r[1]}
    if k == "g_test":
        ref = c["ref"]; cur = c["cur"]
        keys = sorted(set(ref) | set(cur))
        k_norm = len(cur) / len(ref)
        f_exp = [ref.count(x) * k_norm for x in keys]
        f_obs = [cur.count(x) for x in keys]
        r = stats.power_divergence(f_obs, f_exp, lambda_="log-likelihood")
        return {"statistic": r.statistic, "pvalue": r.pvalue}
    if k == "hellinger":
        ref = c["ref"]; cur = c["cur"]
        if not c["numerical"]:
            keys = sorted(set(ref) | set(cur))
            h = 0.0
            for key in keys:
                h += math.sqrt(ref.count(key) / len(ref) * cur.count(key) / len(cur))
        else:
            ref = np.asarray(dec(ref), dtype=float); cur = np.asarray(dec(cur), dtype=float)
            keys = list(set(ref.tolist()) | set(cur.tolist()))
            bins = np.histogram_bin_edges(keys, bins="sturges")
            h1 = np.histogram(ref, bins=bins, density=True)[0]
            h2 = np.histogram(cur, bins=bins, density=True)[0]
            bw = (max(bins) - min(bins)) / (len(bins) - 1)
            h = 0.0
            for i in range(len(h1)):
                h += math.sqrt(h1[i] * h2[i]) * bw
        return math.sqrt(1 - np.clip(h, 0, 1))
    if k == "kl_div":
        rp, cp = binned(c["ref"], c["cur"], c["numerical"], True)
        return stats.entropy(rp, cp)
    if k == "TVD":
        from collections import Counter
        ref = c["ref"]; cur = c["cur"]
        def tvd(r, q):
            keys = sorted(set(r) | set(q))
            rc = np.array([r.count(x) for x in keys]); qc = np.array([q.count(x) for x in keys])
            return 0.5 * np.sum(np.abs(rc / sum(rc) - qc / sum(qc)))
        observed = tvd(ref, cur)
        np.random.seed(0)
        held = []
        for i in range(c.get("iterations", 1000)):
            combined = ref + cur
            new_ref = np.random.choice(combined, len(ref), replace=False).tolist()
            new_cur = list((Counter(combined) - Counter(new_ref)).elements())
            held.append(tvd(new_ref, new_cur))
        return {"statistic": observed, "pvalue": sum(observed <= abs(np.array(held))) / len(held)}
    if k == "empirical_mmd":
        import warnings
        x = np.asarray(dec(c["ref"]), dtype=float).reshape(-1, 1)
        y = np.asarray(dec(c["cur"]), dtype=float).reshape(-1, 1)
        def dist(a, b):
            return (b**2).T - 2 * np.dot(a, b.T) + a**2
        def rbf(a, b, s):
            d = dist(a, b)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sigma = (0.5 * np.percentile(a=d.flatten(), q=50, interpolation="nearest")) ** 0.5
            if sigma == 0: sigma = (0.5 * 1) ** 0.5
            if s: sigma = s
            return np.exp(-(1.0 / (2.0 * sigma**2)) * d), sigma
        kxx, sx = rbf(x, x, None); kxy, _ = rbf(x, y, sx); kyy, _ = rbf(y, y, sx)
        km = np.concatenate((np.concatenate((kxx, kxy), axis=1), np.concatenate((kxy.T, kyy), axis=1)), axis=0)
        km = km - np.diag(np.diagonal(km))
        ny = y.shape[0]; nx = km.shape[0] - ny
        def mmd(km, permute):
            if permute:
                idx = np.random.permutation(km.shape[0]); km = km[idx][:, idx]
            A = 1 / (nx * (nx - 1)); B = 1 / (ny * (ny - 1))
            return A * km[:-ny, :-ny].sum() + B * km[-ny:, -ny:].sum() - 2.0 * km[-ny:, :-ny].mean()
        np.random.seed(0)
        observed = mmd(km, False)
        perm = np.array([mmd(km, True) for _ in range(100)])
        return {"statistic": observed, "pvalue": (observed <= perm).mean()}
    if k == "gammaincc":
        return special.gammaincc(c["a"], c["x"])
    if k == "smirnov":
        return special.smirnov(c["n"], c["x"])
    if k == "kstwo_sf":
        return stats.kstwo.sf(c["x"], c["n"])
    if k == "binom":
        return special.binom(c["n"], c["k"])
    raise ValueError(k)

cases = json.load(open(sys.argv[1]))
json.dump([enc(run(c)) for c in cases], open(sys.argv[2], "w"))
`;

export function encodeNumber(x: number): number | string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return x;
}

export function decodeNumber(x: unknown): number {
  if (x === 'nan') return NaN;
  if (x === 'inf') return Infinity;
  if (x === '-inf') return -Infinity;
  return x as number;
}

export type OracleCase = Record<string, unknown> & { kind: string };

/** Computes every case in ONE python process. */
export function runScipy(cases: OracleCase[]): unknown[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-drift-oracle-'));
  try {
    const input = path.join(dir, 'cases.json');
    const output = path.join(dir, 'answers.json');
    const script = path.join(dir, 'oracle.py');
    fs.writeFileSync(script, SCRIPT);
    fs.writeFileSync(
      input,
      JSON.stringify(cases, (_k, v: unknown) => (typeof v === 'number' ? encodeNumber(v) : v)),
    );
    execFileSync(PYTHON, [script, input, output], {
      stdio: ['ignore', 'ignore', 'pipe'],
      maxBuffer: 1 << 26,
    });
    return JSON.parse(fs.readFileSync(output, 'utf8')) as unknown[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function normal(random: () => number, mean = 0, sd = 1): number {
  const u = 1 - random();
  const v = random();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Relative difference, treating equal non-finite values as equal. */
export function relativeError(actual: number, expected: number): number {
  if (Object.is(actual, expected) || actual === expected) return 0;
  if (Number.isNaN(actual) && Number.isNaN(expected)) return 0;
  if (!Number.isFinite(actual) || !Number.isFinite(expected)) return Infinity;
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), Number.MIN_VALUE);
}

/** Tolerance of every comparison with scipy: 1e-9 relative. */
export const SCIPY_TOL = 1e-9;

/**
 * Throws unless `actual` agrees with scipy's `expected` to SCIPY_TOL relative, or to `absolute`
 * when given (for values scipy itself only knows to about 1e-15, such as 1 − CDF near 0).
 */
export function expectClose(actual: number, expected: unknown, label = '', absolute = 0): void {
  const e = decodeNumber(expected);
  const err = relativeError(actual, e);
  if (err > SCIPY_TOL && !(Math.abs(actual - e) <= absolute))
    throw new Error(`${label ? `${label}: ` : ''}expected ${e}, got ${actual} (relative error ${err})`);
}

/** Two seeded samples of `k` categories, the second skewed towards the first categories by `skew`. */
export function categoricalPair(
  random: () => number,
  n1: number,
  n2: number,
  k: number,
  skew: number,
): [string[], string[]] {
  const draw = (bias: number): string => `c${Math.min(k - 1, Math.floor(random() ** (1 + bias) * k))}`;
  return [Array.from({ length: n1 }, () => draw(0)), Array.from({ length: n2 }, () => draw(skew))];
}
