import { resolve } from 'node:path';
import { FileSystemStorage } from './fs';
import { createS3Client, parseS3Url, S3Storage, type S3ClientOptions } from './s3';
import type { Storage } from './types';

export { FileSystemStorage } from './fs';
export { createS3Client, isS3NotFound, parseS3Url, S3Storage, type S3ClientOptions, type S3Location } from './s3';
export type { PutOutcome, Storage, StoredBody } from './types';

/** `--storage` value: a directory path, or `s3://bucket/prefix`. */
export function openStorage(spec: string, s3: S3ClientOptions = {}): Storage {
  if (spec.startsWith('s3://')) return new S3Storage(createS3Client(s3), parseS3Url(spec));
  return new FileSystemStorage(resolve(spec));
}
