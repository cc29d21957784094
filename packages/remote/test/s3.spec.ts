import { readFileSync } from 'node:fs';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createS3Client,
  objectFile,
  objectRelPath,
  parseS3Url,
  pullObjects,
  pushObjects,
  S3Remote,
} from '../src';
import { S3RVER_CREDENTIALS as credentials, startS3, type LocalS3 } from '../../../tools/test-support/src/s3';
import { fillStore, tempDir } from './helpers';

describe('S3 remote (against s3rver on loopback)', () => {
  const dir = tempDir('s3-remote');
  let s3: LocalS3;
  let endpoint: string;

  beforeAll(async () => {
    s3 = await startS3('data');
    endpoint = s3.endpoint;
  });
  afterAll(async () => {
    await s3.stop();
    dir.remove();
  });

  it('parses bucket and prefix', () => {
    expect(parseS3Url('s3://bucket')).toEqual({ bucket: 'bucket', prefix: '' });
    expect(parseS3Url('s3://bucket/a/b/')).toEqual({ bucket: 'bucket', prefix: 'a/b/' });
  });

  it('pushes, stores the exact bytes (no chunk framing) and pulls them back verified', async () => {
    const a = `${dir.path}/a`;
    const b = `${dir.path}/b`;
    const objects = fillStore(a, 12, 200_000);
    const ids = [...objects.keys()];
    const client = createS3Client({ endpoint, credentials });
    const remote = new S3Remote(client, parseS3Url('s3://data/team/store'));

    expect((await pushObjects(a, ids, remote)).transferred).toHaveLength(ids.length);
    expect(await remote.missing(ids)).toEqual([]);
    // Read one object back with a plain GetObject: the bytes are the file's, not aws-chunked.
    const raw = await client.send(
      new GetObjectCommand({ Bucket: 'data', Key: `team/store/${objectRelPath(ids[0]!)}` }),
    );
    expect(Buffer.from(await raw.Body!.transformToByteArray()).equals(objects.get(ids[0]!)!)).toBe(true);

    const pulled = await pullObjects(b, ids, remote);
    expect(pulled.transferred).toHaveLength(ids.length);
    for (const [id, body] of objects) expect(readFileSync(objectFile(b, id)).equals(body)).toBe(true);
    await remote.close();
  });
});
