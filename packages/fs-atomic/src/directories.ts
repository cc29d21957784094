import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';

/**
 * `mkdir -p` that always ends. Node's `mkdir({ recursive: true })` retries
 * forever when mkdir(2) answers ENOENT under a parent that exists (/proc,
 * /sys): a user-chosen path there made `cairn cache-server` spin at 90% CPU.
 * Fails with ENOTDIR whose `path` is the component that is a file, or with
 * the errno of the mkdir(2) that failed.
 */
export async function ensureDirectory(path: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await fs.stat(path)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const parent = dirname(path);
    if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === path) throw error;
    await ensureDirectory(parent);
    try {
      await fs.mkdir(path);
    } catch (mkdirError) {
      // Created meanwhile by someone else: fine if it is a folder.
      if ((mkdirError as NodeJS.ErrnoException).code !== 'EEXIST') throw mkdirError;
      await ensureDirectory(path);
    }
    return;
  }
  if (!isDirectory) {
    throw Object.assign(new Error(`ENOTDIR: not a directory, '${path}'`), {
      code: 'ENOTDIR',
      errno: -20,
      syscall: 'mkdir',
      path,
    });
  }
}
