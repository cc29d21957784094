import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'cairn-monitoring-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function promtool(args: string[], cwd?: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

export const IRIS = {
  project: 'iris',
  labels: ['setosa', 'versicolor', 'virginica'],
  features: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
  thresholds: { latency_p99_ms: 250, error_rate: 0.01, drift_threshold: 0.1, staleness_days: 30 },
};
