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
