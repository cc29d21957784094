import type { VersionInput } from '@cairn/registry';

/** A registry version of `artifact` with the least lineage the registry accepts (one feature, one label). */
export function versionOf(artifact: { hash: string; size: number; nfiles?: number }): VersionInput {
  return {
    artifact: {
      hash: artifact.hash,
      size: artifact.size,
      ...(artifact.nfiles === undefined ? {} : { nfiles: artifact.nfiles }),
    },
    metrics: { accuracy: 0.9 },
    inputs: {},
    params: {},
    code: { commit: null },
    run: { id: '2026-12-01T00:00:00.000Z', project: 'iris' },
    signature: { inputs: [{ name: 'petal_length', type: 'number' }], outputs: { name: 'species' } },
  };
}
