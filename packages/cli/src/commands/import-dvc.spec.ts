import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/run-cli';

function write(root: string, file: string, content: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), content);
}
const md5sum = (text: string) => execFileSync('md5sum', { input: text }).toString().slice(0, 32);

describe('cairn import-dvc', () => {
  const root = mkdtempSync(join(tmpdir(), 'cairn-cli-import-dvc-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('imports what verifies, reports what does not, and exits 2 when an output failed', async () => {
    mkdirSync(join(root, '.git'));
    const csv = 'a,b\n1,2\n';
    write(root, 'data.csv.dvc', `outs:\n- md5: ${md5sum(csv)}\n  hash: md5\n  path: data.csv\n`);
    write(root, `.dvc/cache/files/md5/${md5sum(csv).slice(0, 2)}/${md5sum(csv).slice(2)}`, csv);
    write(root, 'bad.txt.dvc', `outs:\n- md5: ${md5sum('x')}\n  hash: md5\n  path: bad.txt\n`);
    write(root, `.dvc/cache/files/md5/${md5sum('x').slice(0, 2)}/${md5sum('x').slice(2)}`, 'y');
    const result = await runCli(['import-dvc', '--json'], { cwd: root });
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as {
      outputs: Array<{ path: string; status: string; error?: { code: string } }>;
    };
    expect(report.outputs.map((o) => [o.path, o.status, o.error?.code])).toEqual([
      ['bad.txt', 'failed', 'DVC_CACHE_CORRUPT'],
      ['data.csv', 'imported', undefined],
    ]);
    expect(JSON.parse(readFileSync(join(root, 'data.csv.cairn'), 'utf8')).md5).toBe(md5sum(csv));
    const text = await runCli(['import-dvc'], { cwd: root });
    expect(text.stdout).toContain('FAILED   bad.txt  DVC_CACHE_CORRUPT');
  });
});
