import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { cacheServerError } from '../errors';
import { isS3NotFound, type S3Location } from '@cairn/remote';
import type { PutOutcome, Storage, StoredBody } from './types';

/**
 * Entries as objects under `s3://bucket/prefix/`. A body is uploaded to a
 * unique temp key (`<prefix>tmp/<uuid>`), checked, then copied to its final
 * key and the temp key deleted: an object PUT is atomic on S3, but the check
 * (size, BLAKE3 of a data object) can only run after the last byte, so the
 * final key must not see the body before that. An interrupted upload leaves at
 * most a temp key (S3 lifecycle rules can expire `tmp/`). The copy is skipped
 * when the final key exists (never overwritten); two simultaneous uploads of
 * one key can both copy, which for content-addressed data is harmless.
 */
export class S3Storage implements Storage {
  readonly description: string;

  constructor(
    private readonly client: S3Client,
    private readonly location: S3Location,
  ) {
    this.description = `s3://${location.bucket}/${location.prefix}`;
  }

  private keyOf(key: string): string {
    return `${this.location.prefix}${key}`;
  }

  async init(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.location.bucket }));
    } catch (error) {
      throw cacheServerError('S3_BUCKET_UNAVAILABLE', `cannot reach bucket ${this.location.bucket}`, {
        data: { bucket: this.location.bucket },
        hint: 'create the bucket and check the endpoint (--s3-endpoint / AWS_ENDPOINT_URL) and credentials',
        cause: error,
      });
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.location.bucket, Key: this.keyOf(key) }));
      return true;
    } catch (error) {
      if (isS3NotFound(error)) return false;
      throw error;
    }
  }

  async get(key: string): Promise<StoredBody | undefined> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.location.bucket, Key: this.keyOf(key) }),
      );
      return { stream: out.Body as Readable, size: out.ContentLength ?? 0 };
    } catch (error) {
      if (isS3NotFound(error)) return undefined;
      throw error;
    }
  }

  async put(key: string, body: Readable, size: number, check: () => void): Promise<PutOutcome> {
    const bucket = this.location.bucket;
    const tempKey = this.keyOf(`tmp/${randomUUID()}`);
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: bucket, Key: tempKey, Body: body, ContentLength: size }),
      );
      check();
      if (await this.has(key)) return 'exists';
      await this.client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: this.keyOf(key),
          CopySource: `${bucket}/${encodeURI(tempKey)}`,
        }),
      );
      return 'stored';
    } finally {
      await this.client
        .send(new DeleteObjectCommand({ Bucket: bucket, Key: tempKey }))
        .catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
