import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '@cairn/errors';
import { HttpRemote } from './http';
import { LocalRemote } from './local';
import { createS3Client, parseS3Url, S3Remote, type S3ClientOptions } from './s3';
import type { Remote } from './transport';

export type RemoteKind = 'local' | 'http' | 's3';

/** Which transport a URL selects; throws REMOTE_URL_INVALID for anything else. */
export function remoteKind(url: string): RemoteKind {
  if (/^https?:\/\//.test(url)) return 'http';
  if (url.startsWith('s3://')) return 's3';
  if (url.startsWith('file://') || isAbsolute(url)) return 'local';
  throw new InputError('REMOTE_URL_INVALID', `unsupported remote URL: ${url}`, {
    data: { url },
    hint: 'use an absolute path or file:// URL, http(s)://host:port (a cairn cache server), or s3://bucket/prefix',
  });
}

export interface OpenRemoteOptions {
  /** Bearer token for http(s) remotes; defaults to CAIRN_REMOTE_TOKEN. */
  token?: string;
  s3?: S3ClientOptions;
}

/** Opens the transport for `url`: `/abs/path` or `file://…`, `http(s)://…`, `s3://bucket/prefix`. */
export function openRemote(url: string, options: OpenRemoteOptions = {}): Remote {
  switch (remoteKind(url)) {
    case 'http':
      return new HttpRemote(url, options.token ?? process.env.CAIRN_REMOTE_TOKEN);
    case 's3':
      return new S3Remote(createS3Client(options.s3), parseS3Url(url), url);
    case 'local': {
      const path = url.startsWith('file://') ? fileURLToPath(url) : url;
      return new LocalRemote(resolve(path), url);
    }
  }
}
