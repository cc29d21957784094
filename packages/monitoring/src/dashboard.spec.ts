import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from './dashboard';
import { dashboardUid } from './model';
import { IRIS, promtool, tempDir } from '../test/helpers';
import { oraclePath } from '../../../tools/test-support/src';

const SCHEMA_DIR = oraclePath('grafana');

interface Panel {
  id: number;
  type: string;
  title: string;
  options?: unknown;
  fieldConfig?: { defaults?: { custom?: unknown; thresholds?: { steps: Array<{ value: number | null }> } } };
  targets?: Array<{ expr: string; datasource?: { uid?: string } }>;
  datasource?: { uid?: string; type?: string };
  gridPos: { x: number; y: number; w: number; h: number };
}

describe('buildDashboard', () => {
  // validateSchema off: common.jsonschema.json has an enum with a duplicate item (ScaleDirection), which draft-07 forbids.
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  const validators = new Map<string, ValidateFunction>();
  beforeAll(() => {
    // Load every reference schema (they may $ref one another) and compile the entry points.
    for (const file of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.jsonschema.json'))) {
      const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')) as Record<string, unknown>;
      ajv.addSchema({ ...schema, $id: file });
    }
    validators.set('dashboard', ajv.getSchema('dashboard.jsonschema.json') as ValidateFunction);
    for (const [name, ref] of [
      ['timeseries', 'timeseries.jsonschema.json#/definitions/Options'],
      ['timeseries-field', 'timeseries.jsonschema.json#/definitions/FieldConfig'],
      ['stat', 'stat.jsonschema.json#/definitions/Options'],
      ['prometheus', 'prometheus.jsonschema.json#/definitions/Dataquery'],
    ] as const) {
      validators.set(name, ajv.getSchema(ref) as ValidateFunction);
    }
  });

  const variants = [
    IRIS,
    {
      project: 'wine-quality',
      name: 'wine',
      features: ['alcohol'],
      thresholds: { latency_p99_ms: 1200, drift_threshold: 0.25 },
    },
    { project: 'House Prices (regression)', features: [] },
  ];

  it.each(variants)('validates against the Grafana reference schemas (%#)', (model) => {
    const dashboard = buildDashboard(model);
    const validate = validators.get('dashboard') as ValidateFunction;
    expect(validate(dashboard), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    for (const panel of (dashboard as { panels: Panel[] }).panels) {
      if (panel.type === 'row') continue;
      const options = validators.get(panel.type) as ValidateFunction;
      expect(options(panel.options), `${panel.title}: ${JSON.stringify(options.errors?.slice(0, 3))}`).toBe(
        true,
      );
      if (panel.type === 'timeseries') {
        const field = validators.get('timeseries-field') as ValidateFunction;
        expect(field(panel.fieldConfig?.defaults?.custom), JSON.stringify(field.errors?.slice(0, 3))).toBe(
          true,
        );
      }
      for (const target of panel.targets ?? []) {
        const dataquery = validators.get('prometheus') as ValidateFunction;
        expect(dataquery(target), JSON.stringify(dataquery.errors?.slice(0, 3))).toBe(true);
      }
    }
  });

  it('the schema check can fail: a broken dashboard is rejected', () => {
    const dashboard = buildDashboard(IRIS) as Record<string, unknown>;
    const validate = validators.get('dashboard') as ValidateFunction;
    expect(validate({ ...dashboard, graphTooltip: 7 })).toBe(false);
    expect(validate({ ...dashboard, panels: [{ title: 'no type' }] })).toBe(false);
  });

  it('has the panels the issue asks for, each querying this model through the datasource variable', () => {
    const dashboard = buildDashboard(IRIS) as {
      uid: string;
      templating: { list: Array<{ name: string; type: string; query: string }> };
      panels: Panel[];
    };
    expect(dashboard.uid).toBe(dashboardUid('iris'));
    expect(dashboard.templating.list).toEqual([
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    ]);
    const titles = dashboard.panels.map((p) => p.title);
    for (const title of [
      'Request rate',
      'Error rate',
      'Latency',
      'Predictions by class',
      'Class share vs training',
      'Feature drift scores',
      'Version in service',
      'Training metrics',
      'Model age',
    ]) {
      expect(titles).toContain(title);
    }
    for (const feature of IRIS.features) expect(titles).toContain(`Feature ${feature}`);
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    for (const panel of panels) {
      expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const target of panel.targets ?? []) expect(target.expr).toContain('model="iris"');
    }
    const latency = panels.find((p) => p.title === 'Latency') as Panel;
    expect(latency.targets?.map((t) => t.expr.match(/histogram_quantile\(([\d.]+)/)?.[1])).toEqual([
      '0.5',
      '0.9',
      '0.99',
    ]);
    expect(latency.fieldConfig?.defaults?.thresholds?.steps.at(-1)?.value).toBe(0.25);
    // Ids are unique and panels never overlap on the 24-column grid.
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    const cells = new Set<string>();
    for (const { gridPos } of dashboard.panels) {
      expect(gridPos.x + gridPos.w).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x += 1) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y += 1) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it('is deterministic', () => {
    expect(JSON.stringify(buildDashboard(IRIS))).toBe(JSON.stringify(buildDashboard({ ...IRIS })));
  });

  describe('queries', () => {
    const tmp = tempDir();
    afterAll(() => tmp.cleanup());
    it('are valid PromQL (checked by promtool as recording rules)', () => {
      const panels = (buildDashboard(IRIS) as { panels: Panel[] }).panels;
      const exprs = panels
        .flatMap((p) => p.targets ?? [])
        .map((t) => t.expr.replaceAll('$__rate_interval', '5m'));
      expect(exprs.length).toBeGreaterThan(15);
      const file = join(tmp.dir, 'queries.yml');
      writeFileSync(
        file,
        stringify({
          groups: [
            { name: 'dashboard', rules: exprs.map((expr, i) => ({ record: `dashboard:query_${i}`, expr })) },
          ],
        }),
      );
      const result = promtool(['check', 'rules', file]);
      expect(result.status, result.output).toBe(0);
    });
  });
});
