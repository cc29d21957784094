import { cairnError } from '@cairn/errors';
import { previewValue } from './errors';
import type { ModelManifest, Row } from './manifest';

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value;
}

/**
 * Checks prediction input against the manifest's features and returns rows
 * holding exactly those features (extra fields are dropped, so a model never
 * sees inputs it was not trained on). Throws `SERVE_INVALID_REQUEST` when
 * `rows` is not a non-empty array of objects and `SERVE_INVALID_ROW` naming
 * the row index, the field and the expected type otherwise.
 */
export function validateRequestRows(rows: unknown, manifest: Pick<ModelManifest, 'features'>): Row[] {
  if (!Array.isArray(rows) || rows.length === 0) {
    throw cairnError(
      'SERVE_INVALID_REQUEST',
      `/rows must be a non-empty array of objects, got ${typeOf(rows)}`,
      {
        data: { pointer: '/rows' },
        hint: 'send {"rows": [{...}, ...]} or {"row": {...}}',
      },
    );
  }
  return rows.map((row: unknown, index) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw cairnError(
        'SERVE_INVALID_ROW',
        `/rows/${index} must be an object of feature values, got ${typeOf(row)}`,
        {
          data: { row: index, pointer: `/rows/${index}` },
        },
      );
    }
    const input = row as Record<string, unknown>;
    const clean: Row = {};
    for (const feature of manifest.features) {
      const value = input[feature.name];
      const ok =
        feature.type === 'number'
          ? typeof value === 'number' && Number.isFinite(value)
          : typeof value === 'string';
      if (!ok) {
        const got = value === undefined ? 'nothing (missing)' : previewValue(value);
        throw cairnError(
          'SERVE_INVALID_ROW',
          `/rows/${index}/${feature.name}: expected ${feature.type === 'number' ? 'a finite number' : 'a string'}, got ${got}`,
          {
            data: {
              row: index,
              field: feature.name,
              pointer: `/rows/${index}/${feature.name}`,
              expected: feature.type,
              got: typeOf(value),
            },
          },
        );
      }
      clean[feature.name] = value as number | string;
    }
    return clean;
  });
}
