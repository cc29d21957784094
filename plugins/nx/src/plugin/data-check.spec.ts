import type { ProjectGraph, TargetConfiguration } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { involvesCairnTargets, requestedTargets } from './data-check';

const nx = (...args: string[]) => ['/usr/bin/node', '/ws/node_modules/nx/bin/nx.js', ...args];

describe('requestedTargets: the targets a command line asks for', () => {
  it.each([
    [
      ['run-many', '-t', 'train', 'evaluate', '--parallel=2'],
      ['train', 'evaluate'],
    ],
    [
      ['run-many', '--targets=train,evaluate'],
      ['train', 'evaluate'],
    ],
    [['run-many', '--target', 'lint'], ['lint']],
    [
      ['affected', '-t=lint,test', '--base=main'],
      ['lint', 'test'],
    ],
    [['affected', '--outputStyle=static', '-t', 'train'], ['train']],
    [['run', 'iris:train'], ['train']],
    [['run', 'iris:train:production'], ['train']],
    [['iris:evaluate'], ['evaluate']],
    [['evaluate', 'iris'], ['evaluate']],
  ])('%j → %j', (args, expected) => {
    expect(requestedTargets(nx(...args))).toEqual(expected);
  });

  it.each([[[]], [['run-many']], [['run', 'iris']], [['--version']], [['affected', '-p', 'x']]])(
    'cannot tell from %j (so the check runs)',
    (args) => {
      expect(requestedTargets(nx(...args))).toBeUndefined();
    },
  );
});

function graph(projects: Record<string, Record<string, TargetConfiguration>>): ProjectGraph {
  return {
    nodes: Object.fromEntries(
      Object.entries(projects).map(([name, targets]) => [
        name,
        { name, type: 'lib', data: { root: name, targets } },
      ]),
    ),
    dependencies: {},
  };
}

const cairn = (dependsOn: TargetConfiguration['dependsOn'] = []): TargetConfiguration => ({
  executor: '@cairn/nx:train',
  dependsOn,
  metadata: { technologies: ['cairn'] },
});

describe('involvesCairnTargets', () => {
  const workspace = graph({
    model: { train: cairn(['^validate']), evaluate: cairn(['train']) },
    dataset: { validate: cairn() },
    app: {
      lint: { executor: 'nx:run-commands' },
      build: { executor: 'nx:run-commands', dependsOn: ['^build'] },
      deploy: { executor: 'nx:run-commands', dependsOn: [{ target: 'evaluate', projects: ['model'] }] },
      package: { executor: 'nx:run-commands', dependsOn: ['deploy'] },
      ship: { executor: 'nx:run-commands', dependsOn: ['model:train'] },
    },
  });

  it('is false for targets that reach no Cairn target', () => {
    expect(involvesCairnTargets(workspace, ['lint'])).toBe(false);
    expect(involvesCairnTargets(workspace, ['lint', 'build'])).toBe(false);
    expect(involvesCairnTargets(workspace, ['no-such-target'])).toBe(false);
  });

  it('is true for a Cairn target, and for one that reaches it through dependsOn at any depth', () => {
    expect(involvesCairnTargets(workspace, ['lint', 'train'])).toBe(true);
    expect(involvesCairnTargets(workspace, ['validate'])).toBe(true);
    expect(involvesCairnTargets(workspace, ['deploy'])).toBe(true);
    expect(involvesCairnTargets(workspace, ['package'])).toBe(true);
    expect(involvesCairnTargets(workspace, ['ship'])).toBe(true);
  });

  it('is true when some dependsOn is a glob (it could reach anything)', () => {
    const globbed = graph({
      ...Object.fromEntries(
        Object.entries(workspace.nodes).map(([name, node]) => [name, node.data.targets!]),
      ),
      other: { lint: { executor: 'nx:run-commands', dependsOn: ['pre-*'] } },
    });
    expect(involvesCairnTargets(globbed, ['lint'])).toBe(true);
  });
});
