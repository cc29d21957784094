import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { hashBuffer } from '@cairn/hash';
import { objectFile } from '../src';
import { seededBytes, seededRandom } from '../../../tools/test-support/src';

const rand = seededRandom(105);

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `cairn-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Fills a content store with `count` random objects (a few of them `.dir` manifests); returns id → bytes. */
export function fillStore(storeDir: string, count: number, maxBytes = 50_000): Map<string, Buffer> {
  const objects = new Map<string, Buffer>();
  for (let i = 0; i < count; i += 1) {
    const body = seededBytes(rand, 1 + Math.floor(rand() * maxBytes));
    const id = `${hashBuffer(body)}${i % 7 === 0 ? '.dir' : ''}`;
    const file = objectFile(storeDir, id);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, body, { mode: 0o444 });
    objects.set(id, body);
  }
  return objects;
}
