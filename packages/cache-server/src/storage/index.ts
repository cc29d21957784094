import { resolve } from 'node:path';
import { createS3Client, parseS3Url, type S3ClientOptions } from '@cairn/remote';
import { cacheServerError } from '../errors';
import { FileSystemStorage } from './fs';
import { S3Storage } from './s3';
import type { Storage } from './types';

export { FileSystemStorage } from './fs';
export { S3Storage } from './s3';
export type { PutOutcome, SmallRead, StagedPuts, Storage, StoredBody } from './types';

/** `--storage` value: a directory path, or `s3://bucket/prefix`. */
export function openStorage(spec: string, s3: S3ClientOptions = {}): Storage {
  if (spec === '') {
    // resolve('') is the current folder: entries would land wherever the server happened to start.
    throw cacheServerError('STORAGE_PATH_EMPTY', 'the storage path is empty', {
      hint: 'pass --storage a folder (created if missing) or s3://bucket/prefix',
    });
  }
  if (spec.startsWith('s3://')) return new S3Storage(createS3Client(s3), parseS3Url(spec));
  return new FileSystemStorage(resolve(spec));
}
