import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InputError } from '@cairn/errors';
import { RemoteError } from './errors';
import { objectRelPath } from './layout';
import { mapLimit, unique, type Remote } from './transport';

export interface S3Location {
  bucket: string;
  /** Key prefix without leading slash; empty or ending in `/`. */
  prefix: string;
}

/** Parses `s3://bucket/some/prefix` into bucket and a `/`-terminated prefix. */
export function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!match || !match[1]) {
    throw new InputError('REMOTE_URL_INVALID', `not an S3 URL: ${url}`, {
      data: { url },
      hint: 'use s3://bucket or s3://bucket/prefix',
    });
  }
  const rest = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  return { bucket: match[1], prefix: rest ? `${rest}/` : '' };
}

export interface S3ClientOptions {
  /** Custom endpoint (MinIO, s3rver, R2…); defaults to AWS_ENDPOINT_URL, then AWS itself. */
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * An S3 client set up for S3-compatible servers too: path-style addressing
 * with a custom endpoint, and checksums only when an operation requires them
 * (with the SDK default, streamed uploads to some servers store aws-chunked
 * framing inside the object).
 */
export function createS3Client(options: S3ClientOptions = {}): S3Client {
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
  return new S3Client({
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function isS3NotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

/** Objects at `s3://bucket/prefix/b3/<2 hex>/<62 hex>[.dir]`; S3 PUTs are atomic, so a failed upload leaves nothing. */
export class S3Remote implements Remote {
  constructor(
    private readonly client: S3Client,
    private readonly location: S3Location,
    readonly url: string = `s3://${location.bucket}/${location.prefix}`,
  ) {}

  private key(id: string): string {
    return `${this.location.prefix}${objectRelPath(id)}`;
  }

  async missing(ids: string[]): Promise<string[]> {
    const list = unique(ids);
    const present = await mapLimit(list, 16, async (id) => {
      try {
        await this.client.send(new HeadObjectCommand({ Bucket: this.location.bucket, Key: this.key(id) }));
        return true;
      } catch (error) {
        if (isS3NotFound(error)) return false;
        throw error;
      }
    });
    return list.filter((_, index) => !present[index]);
  }

  async get(id: string, destFile: string): Promise<void> {
    let body: Readable;
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.location.bucket, Key: this.key(id) }),
      );
      body = out.Body as Readable;
    } catch (error) {
      if (isS3NotFound(error)) {
        throw new RemoteError('REMOTE_OBJECT_MISSING', `object ${id} is not in ${this.url}`, {
          data: { id, remote: this.url },
        });
      }
      throw error;
    }
    await pipeline(body, createWriteStream(destFile));
  }

  async put(id: string, srcFile: string): Promise<void> {
    const { size } = await fs.stat(srcFile);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.location.bucket,
        Key: this.key(id),
        Body: createReadStream(srcFile),
        ContentLength: size,
      }),
    );
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
