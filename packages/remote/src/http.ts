import { createReadStream, createWriteStream, promises as fs, readFileSync } from 'node:fs';
import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type RequestOptions,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream/promises';
import { RemoteError } from './errors';
import { assertObjectId } from './layout';
import { PACK_OBJECT_BYTES, packHeader, PackFormatError, readPack } from './pack';
import { unique, type Remote } from './transport';

/** Ids per `POST /v1/objects/missing` request (the server accepts up to 100,000). */
const MISSING_BATCH = 5000;

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The cache server's object API (`HEAD/GET/PUT /v1/objects/{id}`,
 * `POST /v1/objects/missing`) over keep-alive HTTP(S), with a bearer token.
 */
export class HttpRemote implements Remote {
  private readonly base: URL;
  private readonly agent: HttpAgent;
  private packsUnsupported = false;

  constructor(
    readonly url: string,
    private readonly token?: string,
    options: { maxSockets?: number } = {},
  ) {
    this.base = new URL(url.endsWith('/') ? url : `${url}/`);
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 32 };
    this.agent = this.base.protocol === 'https:' ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  }

  private request(
    method: string,
    path: string,
    headers: Record<string, string>,
    send: (req: import('node:http').ClientRequest) => Promise<void> | void,
  ): Promise<IncomingMessage> {
    const target = new URL(path, this.base);
    const options: RequestOptions = {
      method,
      agent: this.agent,
      headers: { ...headers, ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}) },
    };
    const make = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = make(target, options, resolve);
      req.on('error', (error) =>
        reject(
          new RemoteError('REMOTE_UNREACHABLE', `${method} ${target.href}: ${error.message}`, {
            data: { url: target.href },
            retryable: true,
            cause: error,
          }),
        ),
      );
      Promise.resolve(send(req)).catch((error: unknown) => req.destroy(error as Error));
    });
  }

  /** Maps a non-success status to a RemoteError (consuming the body for its message). */
  private async fail(res: IncomingMessage, what: string, id?: string): Promise<never> {
    const status = res.statusCode ?? 0;
    const message = `${what}: HTTP ${status} ${(await readBody(res).catch(() => '')).trim()}`.trim();
    const data = { url: this.url, status, ...(id ? { id } : {}) };
    if (status === 401) {
      throw new RemoteError('REMOTE_UNAUTHORIZED', message, {
        data,
        hint: 'set CAIRN_REMOTE_TOKEN (or the remote\'s "token" in .cairn/config.json) to a token the server accepts',
      });
    }
    if (status === 403)
      throw new RemoteError('REMOTE_FORBIDDEN', message, {
        data,
        hint: 'this token may not do that (read-only?)',
      });
    if (status === 404 && id)
      throw new RemoteError('REMOTE_OBJECT_MISSING', `object ${id} is not on ${this.url}`, { data });
    if (status >= 500 || status === 429)
      throw new RemoteError('REMOTE_SERVER_ERROR', message, { data, retryable: true });
    throw new RemoteError('REMOTE_REJECTED', message, { data });
  }

  async missing(ids: string[]): Promise<string[]> {
    const list = unique(ids);
    list.forEach(assertObjectId);
    const missing: string[] = [];
    for (let start = 0; start < list.length; start += MISSING_BATCH) {
      const body = Buffer.from(JSON.stringify({ ids: list.slice(start, start + MISSING_BATCH) }));
      const res = await this.request(
        'POST',
        'v1/objects/missing',
        { 'Content-Type': 'application/json', 'Content-Length': String(body.length) },
        (req) => void req.end(body),
      );
      if (res.statusCode !== 200) await this.fail(res, 'missing-objects query');
      missing.push(...(JSON.parse(await readBody(res)) as { missing: string[] }).missing);
    }
    return missing;
  }

  async get(id: string, destFile: string): Promise<void> {
    assertObjectId(id);
    const res = await this.request(
      'GET',
      `v1/objects/${id}`,
      { Accept: 'application/octet-stream' },
      (req) => void req.end(),
    );
    if (res.statusCode !== 200) await this.fail(res, `GET object ${id}`, id);
    try {
      await pipeline(res, createWriteStream(destFile));
    } catch (error) {
      throw new RemoteError('REMOTE_UNREACHABLE', `download of ${id} was interrupted`, {
        data: { id },
        retryable: true,
        cause: error,
      });
    }
  }

  async put(id: string, srcFile: string): Promise<void> {
    assertObjectId(id);
    const { size } = await fs.stat(srcFile);
    const res = await this.request(
      'PUT',
      `v1/objects/${id}`,
      { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) },
      (req) => pipeline(createReadStream(srcFile), req),
    );
    if (res.statusCode === 200 || res.statusCode === 409) {
      res.resume();
      return;
    }
    await this.fail(res, `PUT object ${id}`);
  }

  /** `POST /v1/objects/pack`; a server that predates packs gets one PUT per object instead. */
  async putPack(objects: Array<{ id: string; srcFile: string }>): Promise<void> {
    objects.forEach(({ id }) => assertObjectId(id));
    if (!this.packsUnsupported) {
      // Small files read synchronously: a thread-pool round trip per file costs more than the read itself.
      const bodies = objects.map(({ srcFile }) => readFileSync(srcFile));
      const pack = Buffer.concat(
        bodies.flatMap((body, index) => [packHeader(objects[index]!.id, body.length), body]),
      );
      const res = await this.request(
        'POST',
        'v1/objects/pack',
        { 'Content-Type': 'application/octet-stream', 'Content-Length': String(pack.length) },
        (req) => void req.end(pack),
      );
      if (res.statusCode === 200) {
        res.resume();
        return;
      }
      // Before packs, the server read "pack" as a malformed object id (400), or knew no such route.
      if (res.statusCode === 400) {
        const reply = (await readBody(res).catch(() => '')).trim();
        if (!reply.startsWith('malformed object id')) {
          throw new RemoteError('REMOTE_REJECTED', `pack upload: HTTP 400 ${reply}`, {
            data: { url: this.url, status: 400 },
          });
        }
      } else if (res.statusCode === 404 || res.statusCode === 405) res.resume();
      else await this.fail(res, 'pack upload');
      this.packsUnsupported = true;
    }
    for (const { id, srcFile } of objects) await this.put(id, srcFile);
  }

  /** `POST /v1/objects/fetch`: a pack of the asked objects the server has (up to PACK_OBJECT_BYTES each). */
  async getPack(ids: string[], receive: (id: string, body: Buffer) => Promise<void>): Promise<string[]> {
    ids.forEach(assertObjectId);
    if (this.packsUnsupported) return [];
    const query = Buffer.from(JSON.stringify({ ids }));
    const res = await this.request(
      'POST',
      'v1/objects/fetch',
      { 'Content-Type': 'application/json', 'Content-Length': String(query.length) },
      (req) => void req.end(query),
    );
    if (res.statusCode !== 200) {
      const reply = res.statusCode === 400 ? (await readBody(res).catch(() => '')).trim() : '';
      if (res.statusCode === 404 || res.statusCode === 405 || reply.startsWith('malformed object id')) {
        res.resume();
        this.packsUnsupported = true;
        return [];
      }
      if (res.statusCode === 400) {
        throw new RemoteError('REMOTE_REJECTED', `pack download: HTTP 400 ${reply}`, {
          data: { url: this.url, status: 400 },
        });
      }
      await this.fail(res, 'pack download');
    }
    const asked = new Set(ids);
    const received: string[] = [];
    try {
      for await (const { id, body } of readPack(res, {
        maxObjectBytes: PACK_OBJECT_BYTES,
        maxObjects: ids.length,
      })) {
        if (!asked.delete(id)) {
          throw new RemoteError(
            'REMOTE_OBJECT_CORRUPT',
            `${this.url} sent object ${id}, which was not asked for (or twice)`,
            {
              data: { id, remote: this.url },
              retryable: true,
            },
          );
        }
        await receive(id, body);
        received.push(id);
      }
    } catch (error) {
      if (error instanceof PackFormatError || !(error instanceof RemoteError)) {
        res.destroy();
        throw new RemoteError(
          'REMOTE_UNREACHABLE',
          `pack download from ${this.url} broke off: ${(error as Error).message}`,
          {
            data: { url: this.url },
            retryable: true,
            cause: error,
          },
        );
      }
      res.destroy();
      throw error;
    }
    return received;
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}
