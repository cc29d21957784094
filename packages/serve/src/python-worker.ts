import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CairnError, cairnError } from '@cairn/errors';
import type { Prediction, Row } from './manifest';

interface Pending {
  resolve(predictions: Prediction[]): void;
  reject(error: Error): void;
}

export interface PythonWorkerOptions {
  python: string;
  entryPath: string;
  artifactDir: string;
  /** Where the worker's stderr (its logs) goes; default: this process's stderr. */
  log?: (chunk: string) => void;
}

const STDERR_TAIL = 2000;

/**
 * One long-lived `python <entry> <artifactDir>` process speaking the JSON-lines
 * protocol of docs/model-contract.md. Requests are multiplexed by id; when the
 * process dies, every in-flight request fails with `SERVE_WORKER_CRASHED` and
 * the next request starts a fresh process.
 *
 * `artifactDir` is what the model script reads (and unpickles): loadModel
 * with an expected hash hands it a private copy whose bytes were verified,
 * and a restarted worker reads that same copy, never the original folder.
 */
export class PythonWorker {
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderrTail = '';
  private closing = false;

  constructor(private readonly options: PythonWorkerOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn(this.options.python, [this.options.entryPath, this.options.artifactDir], {
      cwd: this.options.artifactDir,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    });
    this.child = child;
    this.stderrTail = '';
    const log = this.options.log ?? ((chunk: string) => process.stderr.write(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL);
      log(chunk);
    });
    child.stdin.on('error', () => {
      /* EPIPE when the worker died; reported through 'exit' */
    });
    createInterface({ input: child.stdout }).on('line', (line) => this.onLine(line, log));
    child.on('error', (error) => {
      const notFound = (error as NodeJS.ErrnoException).code === 'ENOENT';
      this.fail(
        child,
        cairnError(
          notFound ? 'SERVE_PYTHON_NOT_FOUND' : 'SERVE_WORKER_CRASHED',
          notFound
            ? `python interpreter not found: ${this.options.python}`
            : `python worker failed: ${error.message}`,
          {
            data: { python: this.options.python },
            hint: 'set CAIRN_PYTHON or pass --python to the interpreter the model needs',
          },
        ),
      );
    });
    child.on('exit', (code, signal) => {
      if (this.closing) {
        this.fail(
          child,
          cairnError('SERVE_MODEL_CLOSED', 'the model was closed while a prediction was in flight'),
        );
        return;
      }
      const how = signal ? `signal ${signal}` : `exit code ${String(code)}`;
      const tail = this.stderrTail.trim().split('\n').slice(-5).join('\n');
      this.fail(
        child,
        cairnError(
          'SERVE_WORKER_CRASHED',
          `python worker ${this.options.entryPath} (pid ${String(child.pid)}) stopped with ${how} while ${this.pending.size} request(s) were in flight${tail ? `; last stderr:\n${tail}` : ''}`,
          {
            data: { pid: child.pid, code, signal, entry: this.options.entryPath },
            hint: 'the next request starts a new worker; fix the model script if this repeats',
          },
        ),
      );
    });
    return child;
  }

  private fail(child: ChildProcessWithoutNullStreams, error: CairnError): void {
    if (this.child !== child) return;
    this.child = undefined;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const request of pending) request.reject(error);
  }

  private onLine(line: string, log: (chunk: string) => void): void {
    let message: { id?: unknown; predictions?: unknown; error?: unknown };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      // Not protocol: something the model printed on stdout. Treat it as a log line.
      log(`${line}\n`);
      return;
    }
    const request = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
    if (!request) {
      log(`${line}\n`);
      return;
    }
    this.pending.delete(message.id as number);
    if (message.error !== undefined) {
      request.reject(
        cairnError('MODEL_PREDICT_FAILED', `python model error: ${String(message.error)}`, {
          data: { entry: this.options.entryPath },
        }),
      );
    } else {
      request.resolve(message.predictions as Prediction[]);
    }
  }

  predict(rows: Row[]): Promise<Prediction[]> {
    if (this.closing) return Promise.reject(cairnError('SERVE_MODEL_CLOSED', 'the model is closed'));
    const child = this.start();
    const id = this.nextId++;
    return new Promise<Prediction[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      child.stdin.write(`${JSON.stringify({ id, rows })}\n`);
    });
  }

  /** Closes stdin (the contract's shutdown signal) and waits; kills after `timeoutMs`. */
  async close(timeoutMs = 5000): Promise<void> {
    this.closing = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.stdin.end();
    });
  }
}
