import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { vi } from 'vitest';
import { main } from '../src/main';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in-process (optionally from `cwd`) and captures what it
 * prints; restores the working directory and `process.exitCode` afterwards so
 * one test's exit status cannot leak into the next.
 */
export async function runCli(args: string[], options: { cwd?: string } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  const previous = process.cwd();
  if (options.cwd) process.chdir(options.cwd);
  try {
    const code = await main(['node', 'cairn', ...args]);
    return { code, stdout, stderr };
  } finally {
    process.chdir(previous);
    process.exitCode = undefined;
    out.mockRestore();
    err.mockRestore();
  }
}

/**
 * Runs the CLI as its own process on the TypeScript sources (test/cli-child.ts),
 * for what only a real process shows: that it exits by itself, its exit code and stderr.
 */
export function runCliProcess(
  args: string[],
  options: { cwd?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@cairn/source',
      '-r',
      require.resolve('@swc-node/register'),
      join(__dirname, 'cli-child.ts'),
      ...args,
    ],
    { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
