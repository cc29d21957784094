import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../tools/test-support/src';
import { FolderSyncs } from './folder-syncs';

// The folder sync itself is the operating system's; what can go wrong here is the sharing: an upload
// acknowledged on a sync that started before its link. The test drives the syncs by hand and checks,
// for every caller, that it resolved only after a sync of its folder that started after its call.
interface Sync {
  folder: string;
  startedAt: number;
  finish: (error?: Error) => void;
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('FolderSyncs (group commit of folder fsyncs)', () => {
  it('acknowledges a caller only after a sync of its folder that started after its call, sharing syncs', async () => {
    const rand = seededRandom(0x5eed_f01d);
    let clock = 0;
    const running: Sync[] = [];
    const finished: Array<{ folder: string; startedAt: number; endedAt: number; failed: boolean }> = [];
    const syncs = new FolderSyncs(
      (folder) =>
        new Promise<void>((resolve, reject) => {
          // At most one sync per folder at a time: a second one could not be ordered after the first.
          expect(running.some((sync) => sync.folder === folder)).toBe(false);
          const sync: Sync = {
            folder,
            startedAt: (clock += 1),
            finish: (error) => {
              running.splice(running.indexOf(sync), 1);
              finished.push({ folder, startedAt: sync.startedAt, endedAt: (clock += 1), failed: !!error });
              if (error) reject(error);
              else resolve();
            },
          };
          running.push(sync);
        }),
    );
    const callers: Array<{ folder: string; calledAt: number; outcome?: 'ok' | 'failed'; at?: number }> = [];
    for (let step = 0; step < 2000; step += 1) {
      if (running.length === 0 || rand() < 0.6) {
        const caller: (typeof callers)[number] = {
          folder: ['cache', 'objects/b3/ab', 'objects/b3/cd'][Math.floor(rand() * 3)]!,
          calledAt: (clock += 1),
        };
        callers.push(caller);
        syncs.sync(caller.folder).then(
          () => Object.assign(caller, { outcome: 'ok', at: (clock += 1) }),
          () => Object.assign(caller, { outcome: 'failed', at: (clock += 1) }),
        );
      } else {
        const sync = running[Math.floor(rand() * running.length)]!;
        sync.finish(rand() < 0.1 ? new Error('EIO') : undefined);
      }
      await settle();
    }
    while (running.length > 0) {
      running[0]!.finish();
      await settle();
    }
    for (const caller of callers) {
      expect(caller.outcome, `caller at ${caller.calledAt}`).toBeDefined();
      // The sync it waited for: the first of its folder to start after its call.
      const covering = finished.find(
        (sync) => sync.folder === caller.folder && sync.startedAt > caller.calledAt,
      );
      expect(covering, `caller at ${caller.calledAt}`).toBeDefined();
      expect(covering!.endedAt).toBeLessThan(caller.at!);
      expect(caller.outcome).toBe(covering!.failed ? 'failed' : 'ok');
    }
    // Sharing happened: far fewer syncs than callers.
    expect(finished.length).toBeLessThan(callers.length * 0.75);
  });
});
