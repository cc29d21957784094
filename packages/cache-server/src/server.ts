import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import { hashBuffer } from '@cairn/hash';
import { PACK_OBJECT_BYTES, packHeader, PackFormatError, readPack } from '@cairn/remote';
import { cacheServerError } from './errors';
import { cacheKey, isCacheHash, isObjectId, objectDigest, objectKey } from './ids';
import { ServerMetrics, type Route } from './metrics';
import type { SmallRead, Storage } from './storage';
import { canRead, canWrite, TokenChecker, type TokenEntry, type TokenScope } from './tokens';

export interface CacheServerOptions {
  storage: Storage;
  /** Accepted bearer tokens. Required unless `noAuth` is set. */
  tokens?: TokenEntry[];
  /** Serve without authentication (anyone who can connect may read and write). */
  noAuth?: boolean;
  /** Largest accepted body in bytes (default 10 GiB). */
  maxBodyBytes?: number;
  host?: string;
  port?: number;
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Receives one structured entry per request; default: a JSON line on stderr. */
  log?: (entry: Record<string, unknown>) => void;
}

export interface RunningCacheServer {
  /** Base URL, e.g. `http://127.0.0.1:3000` (what NX_SELF_HOSTED_REMOTE_CACHE_SERVER takes). */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly metrics: ServerMetrics;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 10 * 1024 ** 3;
const MAX_MISSING_QUERY_BYTES = 8 * 1024 * 1024;
const MAX_MISSING_IDS = 100_000;
/** A pack is for many small objects: bounded in total, per object and in count (memory holds one object at a time). */
const MAX_PACK_BYTES = 256 * 1024 * 1024;
const MAX_PACK_OBJECT_BYTES = 16 * 1024 * 1024;
const MAX_PACK_OBJECTS = 20_000;
const PACK_WRITES_IN_FLIGHT = 8;
const PACK_READS_IN_FLIGHT = 16;

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface RequestState {
  route: Route;
  bytesIn: number;
  bytesOut: number;
  scope?: TokenScope;
  note?: string;
}

/** Exactly `text/plain`: the Nx client compares the header to that literal for 401/403. */
function sendText(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = Buffer.from(`${message}\n`);
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': String(body.length), ...headers });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
  res.end(body);
}

/** Resolves when `res` can take more bytes; rejects when the client went away instead. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = () => {
      res.off('drain', settle);
      res.off('close', settle);
      if (res.destroyed) reject(new Error('client closed the connection'));
      else resolve();
    };
    res.on('drain', settle);
    res.on('close', settle);
  });
}

/** Counts (and optionally BLAKE3-hashes) a body on its way to storage, failing past `limit` bytes. */
class BodyMeter extends Transform {
  bytes = 0;
  private readonly hasher?: Blake3Hasher;

  constructor(
    private readonly limit: number,
    hash: boolean,
  ) {
    super();
    if (hash) this.hasher = new Blake3Hasher();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      callback(new HttpFailure(413, `body exceeds ${this.limit} bytes`));
      return;
    }
    this.hasher?.update(chunk);
    callback(null, chunk);
  }

  digest(): string | undefined {
    return this.hasher?.digest('hex');
  }
}

/** The request handler and its state, independent of the listening socket. */
class CacheService {
  private readonly tokens?: TokenChecker;
  private readonly maxBody: number;
  readonly metrics = new ServerMetrics();

  constructor(private readonly options: CacheServerOptions) {
    if (!options.noAuth && !options.tokens) {
      throw cacheServerError('AUTH_REQUIRED', 'refusing to serve without authentication', {
        hint: 'pass --tokens FILE (lines "read <token>" / "write <token>"), or --no-auth to allow anyone who can connect',
      });
    }
    this.tokens = options.noAuth ? undefined : new TokenChecker(options.tokens ?? []);
    this.maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const started = process.hrtime.bigint();
    const state: RequestState = { route: 'other', bytesIn: 0, bytesOut: 0 };
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = res.writableEnded ? res.statusCode : 499;
      this.metrics.request(state.route, req.method ?? '?', status, seconds, state.bytesIn, state.bytesOut);
      this.log({
        time: new Date().toISOString(),
        method: req.method,
        path: req.url,
        route: state.route,
        status,
        ms: Math.round(seconds * 1e5) / 100,
        bytesIn: state.bytesIn,
        bytesOut: state.bytesOut,
        ...(state.scope ? { scope: state.scope } : {}),
        ...(state.note ? { note: state.note } : {}),
      });
    });
    this.route(req, res, state).catch((error: unknown) => {
      if (error instanceof HttpFailure) {
        state.note = error.message;
        sendText(res, error.status, error.message, error.status === 413 ? { Connection: 'close' } : {});
        return;
      }
      state.note = error instanceof Error ? error.message : String(error);
      if (req.destroyed || req.readableAborted) {
        res.destroy();
        return;
      }
      sendText(res, 500, 'internal error');
    });
  };

  private log(entry: Record<string, unknown>): void {
    if (this.options.log) this.options.log(entry);
    else process.stderr.write(`${JSON.stringify(entry)}\n`);
  }

  private async route(req: IncomingMessage, res: ServerResponse, state: RequestState): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    if (path === '/healthz') {
      state.route = 'healthz';
      sendText(res, 200, 'ok');
      return;
    }
    if (path === '/metrics') {
      state.route = 'metrics';
      const body = await this.metrics.registry.metrics();
      res.writeHead(200, { 'Content-Type': this.metrics.registry.contentType });
      res.end(body);
      return;
    }
    const segments = path.split('/');
    // ['', 'v1', 'cache' | 'objects', id]
    if (segments.length !== 4 || segments[0] !== '' || segments[1] !== 'v1') {
      sendText(res, 404, 'not found');
      return;
    }
    const id = segments[3] ?? '';
    if (segments[2] === 'cache') {
      state.route = 'cache';
      this.authorize(req, method === 'PUT' ? 'write' : 'read', state);
      if (!isCacheHash(id)) throw new HttpFailure(400, `malformed hash: expected 1-128 letters or digits`);
      if (method === 'GET' || method === 'HEAD') return this.download(res, state, cacheKey(id));
      if (method === 'PUT') return this.upload(req, res, state, cacheKey(id), undefined);
      throw new HttpFailure(405, `method ${method} not allowed on /v1/cache/{hash}`);
    }
    if (segments[2] === 'objects') {
      if (id === 'pack') {
        state.route = 'objects_pack';
        this.authorize(req, 'write', state);
        if (method !== 'POST') throw new HttpFailure(405, 'use POST /v1/objects/pack');
        return this.uploadPack(req, res, state);
      }
      if (id === 'fetch') {
        state.route = 'objects_pack';
        this.authorize(req, 'read', state);
        if (method !== 'POST') throw new HttpFailure(405, 'use POST /v1/objects/fetch');
        return this.downloadPack(req, res, state);
      }
      if (id === 'missing') {
        state.route = 'objects_missing';
        this.authorize(req, 'read', state);
        if (method !== 'POST') throw new HttpFailure(405, 'use POST /v1/objects/missing');
        return this.missing(req, res, state);
      }
      state.route = 'objects';
      this.authorize(req, method === 'PUT' ? 'write' : 'read', state);
      if (!isObjectId(id))
        throw new HttpFailure(
          400,
          'malformed object id: expected 64 lowercase hex digits, optionally + ".dir"',
        );
      if (method === 'GET' || method === 'HEAD') return this.download(res, state, objectKey(id));
      if (method === 'PUT') return this.upload(req, res, state, objectKey(id), objectDigest(id));
      throw new HttpFailure(405, `method ${method} not allowed on /v1/objects/{id}`);
    }
    sendText(res, 404, 'not found');
  }

  /** Records the caller's scope, or throws 401 (no/unknown token) or 403 (scope lacks the permission). */
  private authorize(req: IncomingMessage, need: 'read' | 'write', state: RequestState): void {
    if (!this.tokens) return;
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw new HttpFailure(401, 'missing bearer token (Authorization: Bearer <token>)');
    const scope = this.tokens.scopeOf(match[1]);
    if (!scope) throw new HttpFailure(401, 'invalid access token');
    state.scope = scope;
    if (need === 'read' && !canRead(scope)) throw new HttpFailure(403, 'this token may not read');
    if (need === 'write' && !canWrite(scope)) throw new HttpFailure(403, 'this token is read-only');
  }

  private async download(res: ServerResponse, state: RequestState, key: string): Promise<void> {
    const body = await this.options.storage.get(key);
    this.metrics.lookup(state.route, body !== undefined);
    if (!body) {
      sendText(res, 404, 'The record was not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.size) });
    if (res.req.method === 'HEAD') {
      body.stream.destroy();
      res.end();
      return;
    }
    state.bytesOut = body.size;
    await pipeline(body.stream, res);
  }

  private async upload(
    req: IncomingMessage,
    res: ServerResponse,
    state: RequestState,
    key: string,
    expectedDigest: string | undefined,
  ): Promise<void> {
    const declared = req.headers['content-length'];
    if (declared === undefined) throw new HttpFailure(411, 'Content-Length is required');
    if (!/^\d+$/.test(declared)) throw new HttpFailure(400, 'Content-Length must be a number of bytes');
    const size = Number(declared);
    if (size > this.maxBody)
      throw new HttpFailure(413, `body of ${size} bytes exceeds the limit of ${this.maxBody}`);
    if (await this.options.storage.has(key)) {
      // Node drains the unread body after the response, keeping the connection usable.
      sendText(res, 409, 'Cannot override an existing record');
      return;
    }
    const meter = new BodyMeter(Math.min(size, this.maxBody), expectedDigest !== undefined);
    // An aborted request destroys the meter with an error, which fails the storage write.
    pipeline(req, meter).catch(() => undefined);
    const outcome = await this.options.storage.put(key, meter, size, () => {
      if (meter.bytes !== size)
        throw new HttpFailure(400, `body has ${meter.bytes} bytes, Content-Length says ${size}`);
      if (expectedDigest !== undefined && meter.digest() !== expectedDigest) {
        throw new HttpFailure(400, `body does not hash to its id (BLAKE3 ${meter.digest()})`);
      }
    });
    state.bytesIn = meter.bytes;
    if (outcome === 'exists') {
      sendText(res, 409, 'Cannot override an existing record');
      return;
    }
    sendText(res, 200, 'stored');
  }

  /**
   * Stores every object of a pack (see @cairn/remote's readPack): each body
   * must hash to its id. With a staging storage nothing becomes visible
   * unless the whole pack is good, and the pack costs one durability barrier;
   * otherwise each object is put (and published) on its own.
   */
  private async uploadPack(req: IncomingMessage, res: ServerResponse, state: RequestState): Promise<void> {
    const declared = req.headers['content-length'];
    if (declared === undefined) throw new HttpFailure(411, 'Content-Length is required');
    if (!/^\d+$/.test(declared)) throw new HttpFailure(400, 'Content-Length must be a number of bytes');
    const size = Number(declared);
    const limit = Math.min(this.maxBody, MAX_PACK_BYTES);
    if (size > limit) throw new HttpFailure(413, `pack of ${size} bytes exceeds the limit of ${limit}`);
    const meter = new BodyMeter(size, false);
    pipeline(req, meter).catch(() => undefined);
    const storage = this.options.storage;
    const staged = storage.stage?.();
    let stored = 0;
    let existing = 0;
    // A few writes in flight while parsing goes on: small objects are bound by file-system round trips.
    const inFlight: Promise<void>[] = [];
    const settle = async (limit: number) => {
      while (inFlight.length > limit) await inFlight.shift();
    };
    try {
      let index = 0;
      for await (const { id, body } of readPack(meter, {
        maxObjectBytes: MAX_PACK_OBJECT_BYTES,
        maxObjects: MAX_PACK_OBJECTS,
      })) {
        if (hashBuffer(body) !== objectDigest(id))
          throw new HttpFailure(400, `record ${index}: object ${id} does not hash to its id`);
        if (staged) {
          const write = staged.add(objectKey(id), body);
          write.catch(() => undefined); // settle() awaits it; this only keeps a failure from counting as unhandled
          inFlight.push(write);
          await settle(PACK_WRITES_IN_FLIGHT - 1);
        } else if (
          (await storage.put(objectKey(id), Readable.from([body]), body.length, () => {})) === 'stored'
        )
          stored += 1;
        else existing += 1;
        index += 1;
      }
      await settle(0);
      state.bytesIn = meter.bytes;
      if (meter.bytes !== size)
        throw new HttpFailure(400, `body has ${meter.bytes} bytes, Content-Length says ${size}`);
      for (const outcome of staged ? await staged.publish() : []) {
        if (outcome === 'stored') stored += 1;
        else existing += 1;
      }
    } catch (error) {
      if (error instanceof PackFormatError) throw new HttpFailure(error.tooLarge ? 413 : 400, error.message);
      throw error;
    } finally {
      await Promise.allSettled(inFlight);
      await staged?.discard();
    }
    sendJson(res, 200, { stored, existing });
  }

  /** The ids of a `{"ids": [...]}` query body, validated and without duplicates. */
  private async readIdQuery(req: IncomingMessage, state: RequestState): Promise<string[]> {
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > MAX_MISSING_QUERY_BYTES)
        throw new HttpFailure(413, `query exceeds ${MAX_MISSING_QUERY_BYTES} bytes`);
      chunks.push(chunk);
    }
    state.bytesIn = length;
    let ids: unknown;
    try {
      ids = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { ids?: unknown }).ids;
    } catch {
      throw new HttpFailure(400, 'body must be JSON {"ids": [...]}');
    }
    if (!Array.isArray(ids) || ids.length > MAX_MISSING_IDS) {
      throw new HttpFailure(400, `body must be JSON {"ids": [...]} with at most ${MAX_MISSING_IDS} ids`);
    }
    const bad = ids.find((id) => typeof id !== 'string' || !isObjectId(id));
    if (bad !== undefined) throw new HttpFailure(400, `malformed object id: ${JSON.stringify(bad)}`);
    return [...new Set(ids as string[])];
  }

  /**
   * Answers a pack of the asked objects that are present and at most
   * PACK_OBJECT_BYTES; the client fetches the others one by one. Several
   * objects are read at once (small objects are bound by file-system round
   * trips) and written in order; the client verifies each against its id.
   */
  private async downloadPack(req: IncomingMessage, res: ServerResponse, state: RequestState): Promise<void> {
    const ids = await this.readIdQuery(req, state);
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    const reads: Promise<SmallRead>[] = [];
    let next = 0;
    const readAhead = () => {
      while (next < ids.length && reads.length < PACK_READS_IN_FLIGHT) {
        const read = this.readSmall(objectKey(ids[next]!));
        read.catch(() => undefined); // awaited in order below; this only keeps a failure from counting as unhandled
        reads.push(read);
        next += 1;
      }
    };
    try {
      for (const id of ids) {
        readAhead();
        const body = await reads.shift()!;
        this.metrics.lookup(state.route, body !== 'absent');
        if (typeof body === 'string') continue;
        res.write(packHeader(id, body.length));
        state.bytesOut += body.length;
        if (!res.write(body)) await drained(res);
      }
    } finally {
      await Promise.allSettled(reads);
    }
    res.end();
  }

  /** A whole stored object of at most PACK_OBJECT_BYTES, through the storage's own small read when it has one. */
  private async readSmall(key: string): Promise<SmallRead> {
    const storage = this.options.storage;
    if (storage.readSmall) return storage.readSmall(key, PACK_OBJECT_BYTES);
    const body = await storage.get(key);
    if (!body) return 'absent';
    if (body.size > PACK_OBJECT_BYTES) {
      body.stream.destroy();
      return 'too-large';
    }
    const chunks: Buffer[] = [];
    for await (const chunk of body.stream as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  private async missing(req: IncomingMessage, res: ServerResponse, state: RequestState): Promise<void> {
    const unique = await this.readIdQuery(req, state);
    const present = new Array<boolean>(unique.length);
    let next = 0;
    const worker = async () => {
      while (next < unique.length) {
        const index = next++;
        present[index] = await this.options.storage.has(objectKey(unique[index]!));
      }
    };
    await Promise.all(Array.from({ length: Math.min(32, unique.length) }, worker));
    sendJson(res, 200, { missing: unique.filter((_, index) => !present[index]) });
  }
}

/** A failed listen(2) as a coded error naming the address, for the causes a user can fix. */
function listenError(error: Error, host: string, port: number): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const data = { host, port };
  if (code === 'EADDRINUSE') {
    return cacheServerError('LISTEN_PORT_IN_USE', `cannot listen on ${where}: the port is in use`, {
      data,
      hint: 'stop the other server, or pick another --port (0 picks a free one)',
      cause: error,
    });
  }
  if (code === 'EADDRNOTAVAIL') {
    return cacheServerError(
      'LISTEN_ADDRESS_UNAVAILABLE',
      `cannot listen on ${where}: the address belongs to no interface of this machine`,
      { data, hint: 'use 127.0.0.1, 0.0.0.0 (all interfaces) or an address of this machine', cause: error },
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL') {
    return cacheServerError('LISTEN_HOST_UNKNOWN', `cannot listen on ${where}: unknown host`, {
      data,
      hint: 'use an IP address or a host name this machine resolves',
      cause: error,
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return cacheServerError('LISTEN_PERMISSION_DENIED', `cannot listen on ${where}: permission denied`, {
      data,
      hint: 'ports below 1024 need privileges; pick a higher --port',
      cause: error,
    });
  }
  return error;
}

/**
 * Starts the cache server: Nx's self-hosted remote cache API under
 * `/v1/cache/{hash}`, the data remote under `/v1/objects/…`, `/healthz` and
 * `/metrics`. Resolves once listening.
 */
export async function startCacheServer(options: CacheServerOptions): Promise<RunningCacheServer> {
  const service = new CacheService(options);
  await options.storage.init();
  const server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, service.handle)
    : createHttpServer(service.handle);
  // Large artifacts on slow links: allow long uploads, but still bound them.
  server.requestTimeout = 60 * 60 * 1000;
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => reject(listenError(error, host, port));
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${urlHost}:${actualPort}`,
    port: actualPort,
    server,
    metrics: service.metrics,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await options.storage.close();
    },
  };
}
