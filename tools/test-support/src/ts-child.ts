import { spawn } from 'node:child_process';

export interface TsChild {
  /** Resolves once the child printed its first line (`ready`: modules loaded). */
  ready: Promise<void>;
  /** Exit code, stdout and stderr once it ends. */
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/**
 * Runs a TypeScript test child from sources (@swc-node/register, the
 * `@cairn/source` export condition), for specs that need real concurrent
 * processes rather than promises in one event loop.
 */
export function spawnTsChild(script: string, args: string[]): TsChild {
  const child = spawn(
    process.execPath,
    ['--conditions=@cairn/source', '-r', require.resolve('@swc-node/register'), script, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('\n')) markReady();
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      markReady();
      resolve({ code, stdout, stderr });
    }),
  );
  return { ready, exited };
}
