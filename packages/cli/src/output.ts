import { createRequire } from 'node:module';

// cli-progress (and its dependencies) load only when a bar is shown: pipes, CI and --json never pay for it.
const localRequire = createRequire(__filename);

/** Prints data as pretty JSON (for --json) or as text lines. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export interface Progress {
  start(total: number, label?: string): void;
  tick(count?: number): void;
  stop(): void;
}

/**
 * A progress bar on stderr when it is a TTY and output is not JSON; silent
 * otherwise, so pipes and CI logs stay clean.
 */
export function createProgress(options: { json?: boolean; label?: string } = {}): Progress {
  if (options.json || !process.stderr.isTTY || process.env.CI) {
    return { start() {}, tick() {}, stop() {} };
  }
  const { SingleBar, Presets } = localRequire('cli-progress') as typeof import('cli-progress');
  const bar = new SingleBar(
    {
      format: `${options.label ?? 'working'} [{bar}] {value}/{total} {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  let started = false;
  return {
    start(total) {
      bar.start(total, 0);
      started = true;
    },
    tick(count = 1) {
      if (started) bar.increment(count);
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
