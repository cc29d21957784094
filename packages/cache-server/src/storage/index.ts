import { resolve } from 'node:path';
import { createS3Client, parseS3Url, type S3ClientOptions } from '@cairn/remote';
import { FileSystemStorage } from './fs';
import { S3Storage } from './s3';
import type { Storage } from './types';

export { FileSystemStorage } from './fs';
export { S3Storage } from './s3';
export type { PutOutcome, StagedPuts, Storage, StoredBody } from './types';

/** `--storage` value: a directory path, or `s3://bucket/prefix`. */
export function openStorage(spec: string, s3: S3ClientOptions = {}): Storage {
  if (spec.startsWith('s3://')) return new S3Storage(createS3Client(s3), parseS3Url(spec));
  return new FileSystemStorage(resolve(spec));
}
