// Preloaded (node -r) into the crash specs' children, before any store module: counts the file-system
// operations that change state and SIGKILLs the process at the K-th one (CAIRN_KILL_AT_OP), so a kill
// lands at a seeded point of the real code path whatever the machine's speed. Test harness only.
//
// Counted: opens for writing, writes (per buffer, so a stream's batching does not change the count),
// closes of files opened for writing, fsyncs, truncates, renames, links, unlinks, rms, mkdirs,
// chmods, copies. Not counted: reads, stats, closes of read-only files, utimes (proper-lockfile
// refreshes its lock on a timer), so the count of a given workload never depends on timing.
//
// Workers (the store copies small files on worker threads) get the same wrappers through a prefix to
// their eval'ed source and share the counter through a SharedArrayBuffer.
//
// CAIRN_KILL_KIND=rm counts the kill point in ops of that kind only (the K-th rm): a point inside a
// run of deletions then holds even when earlier, timing-dependent work (a racy stat-index rewrite)
// performs a different number of ops from one run to the next.
//
// At exit the child prints `cairn-ops {"total":M,"first":{kind:i},"last":{kind:i}}` on stdout, so the
// parent learns M (and where each kind of op happened) from an uncounted run.
import type { WorkerOptions } from 'node:worker_threads';

/** Plain JavaScript, run as is in the main thread and in front of every eval'ed worker. */
const PATCH_SOURCE = String.raw`
function installKillAtOp(fs, counter, killAt, killAfter, record, killKind) {
  const writableFds = new Set();
  const writableHandles = new WeakSet();
  const tick = (kind, weight, subject) => {
    const after = Atomics.add(counter, 0, weight) + weight;
    if (record) record(kind, after, subject);
    // counter[1] counts the ops of killKind alone, when the kill point is given in those.
    const [upTo, countedWeight] = killKind ? (kind === killKind ? [Atomics.add(counter, 1, 1) + 1, 1] : [0, 0]) : [after, weight];
    const before = upTo - countedWeight;
    if (countedWeight > 0 && killAt > before && killAt <= upTo) return killAfter ? 'after' : 'before';
    return undefined;
  };
  const die = () => process.kill(process.pid, 'SIGKILL');
  const writes = (flags) =>
    typeof flags === 'number' ? (flags & 3) !== 0 : typeof flags === 'string' && !/^r$|^rs$|^sr$/.test(flags);
  const weightOf = (kind, args) => (kind === 'writev' && Array.isArray(args[1]) ? Math.max(1, args[1].length) : 1);
  const counts = (kind, args) =>
    kind === 'open' ? writes(args[1] ?? 'r') : kind === 'close' ? writableFds.has(args[0]) : true;

  const wrapCallback = (target, name, kind) => {
    const original = target[name];
    if (typeof original !== 'function') return;
    target[name] = function (...args) {
      if (!counts(kind, args)) return original.apply(this, args);
      const when = tick(kind, weightOf(kind, args), args[0]);
      if (when === 'before') die();
      const callback = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
      return original.call(this, ...args, (error, ...rest) => {
        if (kind === 'open' && !error) writableFds.add(rest[0]);
        if (kind === 'close') writableFds.delete(args[0]);
        if (when === 'after') die();
        if (callback) callback(error, ...rest);
      });
    };
  };
  const wrapSync = (target, name, kind) => {
    const original = target[name];
    if (typeof original !== 'function') return;
    target[name] = function (...args) {
      if (!counts(kind, args)) return original.apply(this, args);
      const when = tick(kind, weightOf(kind, args), args[0]);
      if (when === 'before') die();
      // A failed op is a point to be killed after too: try/finally.
      try {
        const result = original.apply(this, args);
        if (kind === 'open') writableFds.add(result);
        if (kind === 'close') writableFds.delete(args[0]);
        return result;
      } finally {
        if (when === 'after') die();
      }
    };
  };
  const wrapPromise = (target, name, kind, isHandle) => {
    const original = target[name];
    if (typeof original !== 'function') return;
    target[name] = async function (...args) {
      const counted = isHandle
        ? kind !== 'close' || writableHandles.has(this)
        : kind !== 'open' || writes(args[1] ?? 'r');
      if (!counted) return original.apply(this, args);
      const when = tick(kind, isHandle && kind === 'writev' ? Math.max(1, args[0]?.length ?? 1) : 1, isHandle ? 'handle' : args[0]);
      if (when === 'before') die();
      try {
        const result = await original.apply(this, args);
        if (kind === 'open') {
          writableHandles.add(result);
          patchHandle(Object.getPrototypeOf(result));
        }
        return result;
      } finally {
        if (when === 'after') die();
      }
    };
  };
  let handlePatched = false;
  const patchHandle = (proto) => {
    if (handlePatched) return;
    handlePatched = true;
    for (const name of ['write', 'writev', 'writeFile', 'appendFile', 'sync', 'datasync', 'truncate', 'chmod', 'close'])
      wrapPromise(proto, name, name, true);
  };

  const mutating = ['write', 'writev', 'writeFile', 'appendFile', 'rename', 'unlink', 'rm', 'rmdir', 'mkdir',
    'mkdtemp', 'copyFile', 'cp', 'link', 'symlink', 'chmod', 'fchmod', 'fsync', 'fdatasync', 'ftruncate', 'truncate'];
  for (const name of [...mutating, 'open', 'close']) {
    wrapCallback(fs, name, name);
    wrapSync(fs, name + 'Sync', name);
  }
  for (const name of mutating.filter((name) => !name.startsWith('f') && name !== 'write' && name !== 'writev'))
    wrapPromise(fs.promises, name, name, false);
  wrapPromise(fs.promises, 'open', 'open', false);
}
`;

interface OpReport {
  total: number;
  first: Record<string, number>;
  last: Record<string, number>;
  counts: Record<string, number>;
}

const killAt = Number(process.env.CAIRN_KILL_AT_OP ?? Infinity);
// Killed just after the op completed (or failed) rather than just before it.
const killAfter = process.env.CAIRN_KILL_AFTER === '1';
const killKind = process.env.CAIRN_KILL_KIND || undefined;
// [every counted op, the ops of killKind]
const counter = new Int32Array(new SharedArrayBuffer(8));
const report: OpReport = { total: 0, first: {}, last: {}, counts: {} };
type Install = (
  fs: unknown,
  counter: Int32Array,
  killAt: number,
  killAfter: boolean,
  record?: (kind: string, index: number, subject: unknown) => void,
  killKind?: string,
) => void;
// A string, not a function: the same source also runs inside the workers.
const install = new Function(`${PATCH_SOURCE}; return installKillAtOp;`)() as Install;
// require: the very module object the store's code calls through.
// CAIRN_KILL_TRACE=1 lists every counted op on stderr, to see where a replayed kill landed.
const trace = Boolean(process.env.CAIRN_KILL_TRACE);
install(
  require('node:fs'),
  counter,
  killAt,
  killAfter,
  (kind, index, subject) => {
    if (trace) process.stderr.write(`op ${index} ${kind} ${typeof subject === 'string' ? subject : ''}\n`);
    report.first[kind] ??= index;
    report.last[kind] = index;
    report.counts[kind] = (report.counts[kind] ?? 0) + 1;
  },
  killKind,
);

// require: patched on the module object itself, which the store's compiled imports read at each call.
const workerThreads = require('node:worker_threads') as typeof import('node:worker_threads');
class CountingWorker extends workerThreads.Worker {
  constructor(code: string | URL, options: WorkerOptions = {}) {
    if (!options.eval || typeof code !== 'string')
      throw new Error('kill-at-op: only eval workers are counted');
    const prefix = `${PATCH_SOURCE}; installKillAtOp(require('node:fs'), new Int32Array(require('node:worker_threads').workerData.__killCounter), ${killAt}, ${killAfter}, undefined, ${JSON.stringify(killKind)});\n`;
    super(prefix + code, {
      ...options,
      workerData: { ...options.workerData, __killCounter: counter.buffer },
    });
  }
}
Object.defineProperty(workerThreads, 'Worker', { value: CountingWorker, configurable: true, writable: true });

process.on('exit', () => {
  report.total = Atomics.load(counter, 0);
  require('node:fs').writeSync(1, `cairn-ops ${JSON.stringify(report)}\n`);
});
