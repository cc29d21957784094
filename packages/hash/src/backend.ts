import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { cairnError, InternalError } from '@cairn/errors';

/** `blake3` is Cairn's identity hash; `md5` reproduces DVC's file and `.dir` hashes. */
export type HashAlgorithm = 'blake3' | 'md5';
export type Blake3Backend = 'native' | 'wasm';

export const ALGORITHMS: readonly HashAlgorithm[] = ['blake3', 'md5'];

/** Incremental hasher shared by every code path, whatever the backend. */
export interface Hasher {
  update(data: Uint8Array): void;
  /** Lowercase hex; the hasher must not be used afterwards. */
  digestHex(): string;
}

const localRequire = createRequire(__filename);

/** Absolute path of the native binding, handed to worker threads (they run plain JS and resolve nothing themselves). */
export function nativeModulePath(): string {
  return localRequire.resolve('@napi-rs/blake-hash');
}

interface NativeBinding {
  blake3(input: Uint8Array): Buffer;
  Blake3Hasher: new () => { update(input: Uint8Array): unknown; digest(format?: string): string };
}

function loadNative(): NativeBinding | undefined {
  try {
    const binding = localRequire(nativeModulePath()) as NativeBinding;
    // A binary that loads but cannot hash is as good as missing.
    binding.blake3(new Uint8Array(1));
    return binding;
  } catch {
    return undefined;
  }
}

/**
 * hash-wasm only offers an async constructor (it compiles its module with
 * `WebAssembly.compile`), but `hashBuffer` is synchronous. Its BLAKE3 build is
 * embedded base64 in `dist/blake3.umd.min.js`; compiling those same bytes with
 * the synchronous `new WebAssembly.Module` gives an identical hasher without a
 * promise. The specs check this instance against the official vectors and
 * against hash-wasm's own `createBLAKE3`.
 */
interface WasmExports {
  memory: { buffer: ArrayBuffer };
  Hash_GetBuffer(): number;
  Hash_Init(keyLength: number): void;
  Hash_Update(length: number): void;
  Hash_Final(outputLength: number): void;
}

/** The slice of the WebAssembly global used here (the DOM lib that types it is not loaded). */
export type WasmModule = object;
const WebAssemblyApi = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: Uint8Array) => WasmModule;
      Instance: new (module: WasmModule, imports: object) => { exports: unknown };
    };
  }
).WebAssembly;

const WASM_CHUNK = 16 * 1024; // hash-wasm's I/O window (MAX_HEAP)

let wasmModule: WasmModule | undefined;

export function wasmBlake3Module(): WasmModule {
  if (wasmModule) return wasmModule;
  const bundle = readFileSync(localRequire.resolve('hash-wasm/dist/blake3.umd.min.js'), 'utf8');
  const match = /name:"blake3",data:"([A-Za-z0-9+/=]+)"/.exec(bundle);
  if (!match?.[1]) {
    throw cairnError(
      'HASH_BACKEND_UNAVAILABLE',
      'cannot find the BLAKE3 WebAssembly module inside hash-wasm',
      {
        hint: 'reinstall hash-wasm 4.x, or make @napi-rs/blake-hash loadable',
      },
    );
  }
  wasmModule = new WebAssemblyApi.Module(Buffer.from(match[1], 'base64'));
  return wasmModule;
}

/** A wasm instance holds one hash state, so interleaved hashes (two streams at once) each borrow their own. */
const idleWasmInstances: WasmExports[] = [];

function createWasmBlake3Hasher(): Hasher {
  const wasm =
    idleWasmInstances.pop() ??
    (new WebAssemblyApi.Instance(wasmBlake3Module(), {}).exports as unknown as WasmExports);
  wasm.Hash_Init(0);
  return wasmHasherOn(wasm, () => void idleWasmInstances.push(wasm));
}

function wasmHasherOn(wasm: WasmExports, release: () => void): Hasher {
  let done = false;
  return {
    update(data) {
      // Cairn's own callers finish a hasher once; input cannot reach this.
      if (done) throw new InternalError('INTERNAL_INVARIANT', 'hasher already finished');
      for (let offset = 0; offset < data.length; offset += WASM_CHUNK) {
        const chunk = data.subarray(offset, offset + WASM_CHUNK);
        new Uint8Array(wasm.memory.buffer, wasm.Hash_GetBuffer(), chunk.length).set(chunk);
        wasm.Hash_Update(chunk.length);
      }
    },
    digestHex() {
      // Cairn's own callers finish a hasher once; input cannot reach this.
      if (done) throw new InternalError('INTERNAL_INVARIANT', 'hasher already finished');
      done = true;
      wasm.Hash_Final(32);
      const hex = Buffer.from(new Uint8Array(wasm.memory.buffer, wasm.Hash_GetBuffer(), 32)).toString('hex');
      release();
      return hex;
    },
  };
}

function resolveBackend(): { name: Blake3Backend; native?: NativeBinding } {
  const forced = process.env.CAIRN_HASH_BACKEND;
  if (forced === 'wasm') return { name: 'wasm' };
  const native = loadNative();
  if (native) return { name: 'native', native };
  if (forced === 'native') {
    throw cairnError(
      'HASH_BACKEND_UNAVAILABLE',
      'CAIRN_HASH_BACKEND=native but @napi-rs/blake-hash cannot load on this platform',
      {
        hint: 'unset CAIRN_HASH_BACKEND to fall back to WebAssembly',
      },
    );
  }
  return { name: 'wasm' };
}

let active: { name: Blake3Backend; native?: NativeBinding } | undefined;

function backend(): { name: Blake3Backend; native?: NativeBinding } {
  active ??= resolveBackend();
  return active;
}

/** Which BLAKE3 implementation is in use: native (@napi-rs/blake-hash) or wasm (hash-wasm); `CAIRN_HASH_BACKEND=wasm` forces wasm. */
export function hashBackend(): Blake3Backend {
  return backend().name;
}

export function assertAlgorithm(algorithm: unknown): HashAlgorithm {
  if (algorithm === 'blake3' || algorithm === 'md5') return algorithm;
  throw cairnError('HASH_BAD_ALGORITHM', `unknown hash algorithm ${JSON.stringify(algorithm)}`, {
    data: { algorithm: String(algorithm) },
    hint: `use one of: ${ALGORITHMS.join(', ')}`,
  });
}

/** A fresh incremental hasher; `backendName` overrides the active BLAKE3 backend (tests use it to cover both). */
export function createHasher(algorithm: HashAlgorithm = 'blake3', backendName?: Blake3Backend): Hasher {
  assertAlgorithm(algorithm);
  if (algorithm === 'md5') {
    const md5 = createHash('md5');
    return { update: (data) => void md5.update(data), digestHex: () => md5.digest('hex') };
  }
  const name = backendName ?? backend().name;
  if (name === 'wasm') return createWasmBlake3Hasher();
  const native = backend().native ?? loadNative();
  if (!native) {
    throw cairnError('HASH_BACKEND_UNAVAILABLE', '@napi-rs/blake-hash cannot load on this platform', {
      hint: 'use the wasm backend (CAIRN_HASH_BACKEND=wasm)',
    });
  }
  const hasher = new native.Blake3Hasher();
  return { update: (data) => void hasher.update(data), digestHex: () => hasher.digest('hex') };
}

/** One-shot hash of bytes in memory. */
export function digestBytes(
  data: Uint8Array,
  algorithm: HashAlgorithm = 'blake3',
  backendName?: Blake3Backend,
): string {
  if (algorithm === 'blake3' && (backendName ?? backend().name) === 'native') {
    const native = backend().native;
    if (native) return native.blake3(data).toString('hex');
  }
  const hasher = createHasher(algorithm, backendName);
  hasher.update(data);
  return hasher.digestHex();
}
