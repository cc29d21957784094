import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Label,
  computeMetrics,
  confusionMatrix,
  fbetaScore,
  type ClassificationReport,
  type RegressionReport,
} from './index';

/**
 * Randomized comparison against the real scikit-learn 1.2.1 (Debian's
 * /usr/bin/python3): cases are generated here from seeded PRNGs, written to
 * one JSON file, and a single python process computes every expected value.
 */
const PYTHON = process.env.CAIRN_SKLEARN_PYTHON ?? '/usr/bin/python3';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  kind: 'binary' | 'multiclass' | 'regression';
  seed: number;
  y_true: Label[];
  y_pred: Label[];
  score?: number[];
  proba?: number[][];
  proba_labels?: Label[];
  pos_label?: Label;
}

const BINARY_SETS: Label[][] = [
  [0, 1],
  [-1, 1],
  [1, 2],
  [2, 7],
  ['no', 'yes'],
  ['spam', 'ham'],
];
const MULTI_SETS: Label[][] = [
  [0, 1, 2],
  [3, 10, 42, 7],
  [-2, 0, 1, 9, 100],
  ['setosa', 'versicolor', 'virginica'],
  ['b', 'a', 'Z', 'é', 'aa', 'A'],
];
const SIZES = [1, 2, 3, 5, 10, 37, 200, 1000, 3000];

function pick<T>(rnd: () => number, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)]!;
}

function quantize(rnd: () => number, x: number): number {
  const mode = Math.floor(rnd() * 4);
  if (mode === 0) return Math.round(x * 10) / 10; // heavy ties
  if (mode === 1) return Math.round(x * 100) / 100;
  return x;
}

function binaryCase(seed: number): Case {
  const rnd = mulberry32(seed);
  const labels = pick(rnd, BINARY_SETS);
  const n = pick(rnd, SIZES);
  const prior = rnd() < 0.1 ? 0 : 0.05 + 0.9 * rnd(); // sometimes one class only
  const flip = rnd() * 0.5;
  const constantPred = rnd() < 0.1;
  const tieMode = rnd();
  const yTrue: Label[] = [];
  const yPred: Label[] = [];
  const score: number[] = [];
  for (let i = 0; i < n; i++) {
    const isPos = rnd() < prior ? 1 : 0;
    yTrue.push(labels[isPos]!);
    yPred.push(constantPred ? labels[0]! : labels[rnd() < flip ? 1 - isPos : isPos]!);
    const raw = Math.min(1, Math.max(0, 0.6 * rnd() + 0.4 * isPos));
    score.push(tieMode < 0.05 ? 0.5 : tieMode < 0.5 ? quantize(rnd, raw) : raw);
  }
  const sorted = [...labels].sort((a, b) =>
    typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1,
  );
  const present = new Set([...yTrue, ...yPred]);
  const candidates = sorted.filter((l) => present.has(l));
  const posLabel =
    candidates.length === 2 && rnd() < 0.25 ? candidates[0]! : candidates[candidates.length - 1]!;
  return { kind: 'binary', seed, y_true: yTrue, y_pred: yPred, score, pos_label: posLabel };
}

function multiclassCase(seed: number): Case {
  const rnd = mulberry32(seed);
  const labels = pick(rnd, MULTI_SETS);
  const k = labels.length;
  const n = pick(
    rnd,
    SIZES.filter((s) => s >= 10),
  );
  const weights = labels.map(() => rnd() + 0.05);
  if (rnd() < 0.15) weights[Math.floor(rnd() * k)] = 0; // a class absent from y_true
  const total = weights.reduce((a, b) => a + b, 0);
  const accuracy = rnd();
  const integerWeights = rnd() < 0.3; // many tied probabilities
  const yTrue: Label[] = [];
  const yPred: Label[] = [];
  const proba: number[][] = [];
  for (let i = 0; i < n; i++) {
    let u = rnd() * total;
    let c = 0;
    while (c < k - 1 && (u >= weights[c]! || weights[c] === 0)) {
      u -= weights[c]!;
      c++;
    }
    if (weights[c] === 0) c = weights.findIndex((w) => w > 0);
    yTrue.push(labels[c]!);
    yPred.push(rnd() < accuracy ? labels[c]! : labels[Math.floor(rnd() * k)]!);
    const w = labels.map(
      (_, j) => (integerWeights ? 1 + Math.floor(rnd() * 4) : rnd()) + (j === c ? 2 * accuracy : 0),
    );
    const s = w.reduce((a, b) => a + b, 0);
    proba.push(w.map((x) => x / s));
  }
  const probaLabels = [...labels].sort((a, b) =>
    typeof a === 'number' && typeof b === 'number' ? a - b : cmpCodePoints(String(a), String(b)),
  );
  const order = probaLabels.map((l) => labels.indexOf(l));
  return {
    kind: 'multiclass',
    seed,
    y_true: yTrue,
    y_pred: yPred,
    proba: proba.map((row) => order.map((j) => row[j]!)),
    proba_labels: probaLabels,
  };
}

function cmpCodePoints(a: string, b: string): number {
  const x = [...a].map((ch) => ch.codePointAt(0)!);
  const y = [...b].map((ch) => ch.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

function regressionCase(seed: number): Case {
  const rnd = mulberry32(seed);
  const n = pick(rnd, SIZES);
  const scale = Math.exp(rnd() * 10 - 3);
  const mode = rnd();
  const yTrue: number[] = [];
  const yPred: number[] = [];
  for (let i = 0; i < n; i++) {
    let t = (rnd() - 0.3) * scale;
    if (mode < 0.15 && rnd() < 0.3) t = 0; // MAPE eps floor
    if (mode > 0.9) t = 3; // constant y_true: r2 forced finite
    yTrue.push(t);
    yPred.push(mode > 0.95 ? t : t + (rnd() - 0.5) * scale * rnd());
  }
  return { kind: 'regression', seed, y_true: yTrue, y_pred: yPred };
}

type Json = null | number | string | Json[] | { [key: string]: Json };

function compare(where: string, actual: unknown, expected: Json, out: string[]): void {
  if (expected === null) {
    if (!(actual === null || (typeof actual === 'number' && Number.isNaN(actual))))
      out.push(`${where}: expected null/NaN, got ${String(actual)}`);
    return;
  }
  if (typeof expected === 'number') {
    if (typeof actual !== 'number') {
      out.push(`${where}: expected ${expected}, got ${String(actual)}`);
      return;
    }
    const tol = Math.max(1e-9 * Math.abs(expected), 1e-12);
    if (!(Math.abs(actual - expected) <= tol)) out.push(`${where}: expected ${expected}, got ${actual}`);
    return;
  }
  if (typeof expected === 'string') {
    if (actual !== expected) out.push(`${where}: expected ${expected}, got ${String(actual)}`);
    return;
  }
  if (Array.isArray(expected)) {
    const a = actual as unknown[];
    if (!Array.isArray(a) || a.length !== expected.length) {
      out.push(
        `${where}: expected array of ${expected.length}, got ${Array.isArray(a) ? a.length : typeof a}`,
      );
      return;
    }
    expected.forEach((e, i) => compare(`${where}[${i}]`, a[i], e, out));
    return;
  }
  for (const [key, e] of Object.entries(expected))
    compare(`${where}.${key}`, (actual as Record<string, unknown>)?.[key], e, out);
}

describe('agreement with scikit-learn 1.2.1 on randomized cases', () => {
  let dir: string;
  const cases: Case[] = [];
  let expected: Json[] = [];
  beforeAll(() => {
    for (let seed = 1; seed <= 100; seed++) cases.push(binaryCase(seed));
    for (let seed = 1001; seed <= 1070; seed++) cases.push(multiclassCase(seed));
    for (let seed = 2001; seed <= 2050; seed++) cases.push(regressionCase(seed));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-metrics-'));
    fs.writeFileSync(path.join(dir, 'cases.json'), JSON.stringify(cases));
    execFileSync(
      PYTHON,
      [path.join(__dirname, 'sklearn-oracle.py'), path.join(dir, 'cases.json'), path.join(dir, 'out.json')],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
        timeout: 60_000,
      },
    );
    expected = JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8')) as Json[];
  }, 90_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function check(kind: Case['kind']): { mismatches: string[]; count: number } {
    const mismatches: string[] = [];
    let count = 0;
    cases.forEach((c, i) => {
      if (c.kind !== kind) return;
      count++;
      const exp = expected[i] as Record<string, Json>;
      const where = `${kind} seed ${c.seed}`;
      if (kind === 'regression') {
        const r = computeMetrics({
          task: 'regression',
          yTrue: c.y_true,
          yPred: c.y_pred,
        }) as RegressionReport;
        compare(where, r, exp, mismatches);
        return;
      }
      const input =
        kind === 'binary'
          ? {
              task: kind,
              yTrue: c.y_true,
              yPred: c.y_pred,
              score: c.score,
              posLabel: c.pos_label,
              curves: true,
            }
          : {
              task: kind,
              yTrue: c.y_true,
              yPred: c.y_pred,
              proba: {
                labels: c.proba_labels!,
                columns: c.proba_labels!.map((_, j) => c.proba!.map((row) => row[j]!)),
              },
            };
      const r = computeMetrics(input) as ClassificationReport;
      const {
        per_class: perClass,
        f2_macro,
        confusion_true,
        confusion_pred,
        confusion_all,
        ...rest
      } = exp as Record<string, Json>;
      compare(where, r, rest, mismatches);
      const per = perClass as Record<string, number[]>;
      r.labels.forEach((label, j) => {
        for (const key of ['precision', 'recall', 'f1', 'support'] as const) {
          compare(
            `${where}.per_class.${String(label)}.${key}`,
            r.per_class[String(label)]?.[key],
            per[key]![j]!,
            mismatches,
          );
        }
      });
      compare(
        `${where}.f2_macro`,
        fbetaScore(c.y_true, c.y_pred, { beta: 2, average: 'macro' }),
        f2_macro!,
        mismatches,
      );
      const norms = { true: confusion_true, pred: confusion_pred, all: confusion_all };
      for (const normalize of ['true', 'pred', 'all'] as const) {
        if (norms[normalize] === undefined) continue; // computed for every 4th seed only
        compare(
          `${where}.confusion_${normalize}`,
          confusionMatrix(c.y_true, c.y_pred, { normalize }),
          norms[normalize]!,
          mismatches,
        );
      }
    });
    return { mismatches, count };
  }

  for (const kind of ['binary', 'multiclass', 'regression'] as const) {
    it(`${kind}: every metric within 1e-9 relative`, () => {
      const { mismatches, count } = check(kind);
      expect(count).toBeGreaterThanOrEqual(50);
      expect(mismatches.slice(0, 20)).toEqual([]);
    });
  }

  it('exercised the undefined cases (one class in y_true, missing classes)', () => {
    const nulls = expected.filter((e) => {
      const r = e as Record<string, Json>;
      return r.roc_auc === null || r.roc_auc_ovr_macro === null;
    });
    expect(nulls.length).toBeGreaterThan(3);
  });
});
