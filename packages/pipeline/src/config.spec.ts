import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '@cairn/monitoring';
import { parseRulesFile } from './compare';
import { schemaDirectory, validateConfig, validateMonitoring } from './config';

const repoRoot = process.env.CAIRN_REPO_ROOT!;

const model = (monitoring: unknown) => ({
  datasets: ['d'],
  label: 'y',
  task: 'binary',
  train: { command: 'true' },
  monitoring,
});

function failure(fn: () => unknown): { code?: string; data?: { pointer?: string } } {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; data?: { pointer?: string } };
  }
  throw new Error('expected a failure');
}

describe('the config contract', () => {
  it('the committed generated types match the schemas (node tools/codegen/schema-types.mjs regenerates them)', () => {
    const run = spawnSync(process.execPath, [join(repoRoot, 'tools/codegen/schema-types.mjs'), '--check'], {
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
  });

  it.each([
    [{ error_rate: 0 }, '/monitoring/error_rate'],
    [{ error_rate: 1.5 }, '/monitoring/error_rate'],
    [{ prediction_shift: 0 }, '/monitoring/prediction_shift'],
    [{ latency_p99_ms: '250' }, '/monitoring/latency_p99_ms'],
    [{ staleness_days: -1 }, '/monitoring/staleness_days'],
    [{ drift_treshold: 0.1 }, '/monitoring/drift_treshold'],
    [[1], '/monitoring'],
  ])('a bad monitoring block fails the same way alone and in a whole model.json (%#)', (block, pointer) => {
    const alone = failure(() => validateMonitoring(block, 'models/m/model.json'));
    const whole = failure(() => validateConfig('model', model(block), 'models/m/model.json'));
    expect(alone).toMatchObject({ code: 'CONFIG_INVALID', data: { file: 'models/m/model.json', pointer } });
    expect(whole).toMatchObject({ code: 'CONFIG_INVALID', data: { pointer } });
  });

  it('accepts the bounds themselves and the monitoring defaults, whose keys are the schema’s', () => {
    expect(validateMonitoring({ error_rate: 1, prediction_shift: 1 }, 'm.json')).toEqual({
      error_rate: 1,
      prediction_shift: 1,
    });
    expect(validateMonitoring(undefined, 'm.json')).toBeUndefined();
    expect(validateMonitoring({ ...DEFAULT_THRESHOLDS }, 'm.json')).toEqual(DEFAULT_THRESHOLDS);
    const schema = JSON.parse(readFileSync(join(schemaDirectory, 'model.schema.json'), 'utf8')) as {
      properties: { monitoring: { properties: object } };
    };
    expect(Object.keys(DEFAULT_THRESHOLDS).sort()).toEqual(
      Object.keys(schema.properties.monitoring.properties).sort(),
    );
  });

  it.each([
    [{ a: { min: 'high' } }, '/a/min'],
    [{ a: { minimum: 1 } }, '/a/minimum'],
    [{ a: { max_regression: -1 } }, '/a/max_regression'],
    [{ a: 1 }, '/a'],
    [{ gates: { a: { higher_is_better: 'yes' } } }, '/gates/a/higher_is_better'],
  ])('a rules file is checked by the gates schema, naming the field where it sits (%#)', (rules, pointer) => {
    expect(failure(() => parseRulesFile(JSON.stringify(rules), 'rules.json'))).toMatchObject({
      code: 'CONFIG_INVALID',
      data: { file: 'rules.json', pointer },
    });
  });

  it('a valid rules file, bare or as a model.json, gives its rules', () => {
    const gates = { accuracy: { min: 0.9, max_regression: 0 }, log_loss: { higher_is_better: false } };
    expect(parseRulesFile(JSON.stringify(gates), 'rules.json')).toEqual(gates);
    expect(parseRulesFile(JSON.stringify({ ...model({}), gates }), 'model.json')).toEqual(gates);
  });
});
