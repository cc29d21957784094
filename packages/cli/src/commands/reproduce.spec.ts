import { describe, expect, it } from 'vitest';
import { renderReproduceReport } from './reproduce';

const base = {
  run: '3f9c2a1b7d04',
  project: 'iris-forest',
  commit: 'a'.repeat(40),
  artifact: { recorded: 'b'.repeat(64), reproduced: 'c'.repeat(64) },
  notes: [],
};

describe('cairn reproduce output', () => {
  it('lists every difference as metric, recorded, reproduced, then what changed in the environment', () => {
    const text = renderReproduceReport({
      ...base,
      status: 'differs',
      differences: [
        { metric: 'artifact.hash', recorded: 'b'.repeat(64), reproduced: 'c'.repeat(64) },
        { metric: 'train_accuracy', recorded: 0.97, reproduced: 0.95 },
      ],
      environment: [{ metric: 'trainer/packages/numpy', recorded: '1.24.2', reproduced: '1.26.4' }],
      notes: ['not checked out (symlinks, submodules): link.mjs'],
    });
    expect(text).toBe(
      [
        `DIFFERS: run 3f9c2a1b7d04 of iris-forest at aaaaaaaaaaaa, artifact cccccccccccc`,
        'differences (metric, recorded, reproduced):',
        `  artifact.hash: recorded "${'b'.repeat(64)}", reproduced "${'c'.repeat(64)}"`,
        '  train_accuracy: recorded 0.97, reproduced 0.95',
        'environment changed since the record:',
        '  trainer/packages/numpy: recorded "1.24.2", reproduced "1.26.4"',
        'note: not checked out (symlinks, submodules): link.mjs',
        '',
      ].join('\n'),
    );
  });

  it('says so in one line when the run reproduced', () => {
    const text = renderReproduceReport({ ...base, status: 'reproduced', differences: [], environment: [] });
    expect(text).toBe(
      'reproduced: run 3f9c2a1b7d04 of iris-forest at aaaaaaaaaaaa, artifact cccccccccccc (same hash, same metrics)\n',
    );
  });
});
