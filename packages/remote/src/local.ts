import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RemoteError } from './errors';
import { objectFile } from './layout';
import { mapLimit, unique, type Remote } from './transport';

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * A remote that is a folder (a mounted share, another disk): objects at
 * `<root>/b3/<2 hex>/<62 hex>[.dir]`, copied in through a hidden temp file,
 * fsynced, made read-only and published with `link(2)` (never overwriting).
 */
export class LocalRemote implements Remote {
  constructor(
    readonly root: string,
    readonly url: string = root,
  ) {}

  async missing(ids: string[]): Promise<string[]> {
    const list = unique(ids);
    const present = await mapLimit(list, 32, (id) =>
      fs.stat(objectFile(this.root, id)).then(
        (stat) => stat.isFile(),
        () => false,
      ),
    );
    return list.filter((_, index) => !present[index]);
  }

  async get(id: string, destFile: string): Promise<void> {
    try {
      await fs.copyFile(objectFile(this.root, id), destFile);
    } catch (error) {
      if (errno(error) === 'ENOENT') {
        throw new RemoteError('REMOTE_OBJECT_MISSING', `object ${id} is not in ${this.url}`, {
          data: { id, remote: this.url },
        });
      }
      throw error;
    }
    // Copies keep the source's 0444 mode; the caller still has to write-verify-rename it.
    await fs.chmod(destFile, 0o644);
  }

  async put(id: string, srcFile: string): Promise<void> {
    const target = objectFile(this.root, id);
    await fs.mkdir(dirname(target), { recursive: true });
    const temp = join(
      dirname(target),
      `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
    );
    try {
      await fs.copyFile(srcFile, temp);
      await fs.chmod(temp, 0o444);
      const handle = await fs.open(temp, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await fs.link(temp, target);
      } catch (error) {
        if (errno(error) !== 'EEXIST') throw error;
      }
    } finally {
      await fs.rm(temp, { force: true });
    }
  }

  async close(): Promise<void> {}
}
