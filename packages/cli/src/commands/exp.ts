import type { Command } from 'commander';
import { cairnError } from '@cairn/errors';
import type { IndexedRecord } from '@cairn/experiments';
import { printJson } from '../output';
import { workspaceRoot } from './add';

type Format = 'json' | 'csv' | 'md' | 'text';

function formatOf(options: { json?: boolean; csv?: boolean; md?: boolean }): Format {
  const chosen = (['json', 'csv', 'md'] as const).filter((name) => options[name]);
  if (chosen.length > 1) {
    throw cairnError('OPTION_INVALID', `--${chosen.join(' and --')}: choose one output format`, {
      data: { option: chosen.join(','), value: true },
    });
  }
  return chosen[0] ?? 'text';
}

function wholeNumber(option: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) {
      throw cairnError('OPTION_INVALID', `--${option} ${value}: not a whole number`, {
        data: { option, value },
      });
    }
    return Number(value);
  };
}

function shortNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

/** An aligned text table: id, project, kind, status, age, then the metrics every listed record may have. */
function renderList(records: IndexedRecord[]): string {
  const metricNames = [...new Set(records.flatMap((record) => Object.keys(record.metrics)))]
    .sort()
    .slice(0, 6);
  const header = ['id', 'project', 'kind', 'status', 'created', ...metricNames];
  const rows = records.map((record) => [
    record.id,
    record.project,
    record.kind,
    record.status,
    record.created.slice(0, 19).replace('T', ' '),
    ...metricNames.map((name) =>
      record.metrics[name] === undefined ? '' : shortNumber(record.metrics[name]),
    ),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  return `${[header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

export function register(program: Command): void {
  const exp = program
    .command('exp')
    .description(
      'experiments recorded in git (refs/cairn/exps/…) by every train, evaluate and tuning trial: list, compare, promote, share',
    );

  exp
    .command('list')
    .description('list recorded experiments, newest first')
    .option('--project <name>', 'only this project')
    .option('--where <expr>', 'filter, e.g. "metrics.accuracy >= 0.9 and params.model = \'forest\'"')
    .option('--sort-by <field>', 'sort by a metric or field, optionally :asc or :desc (e.g. accuracy:desc)')
    .option('--limit <n>', 'at most this many', wholeNumber('limit'))
    .option('--json', 'an array of records (id, project, params, metrics, status, created, commit, data, …)')
    .option('--csv', 'one row per record, one column per param, metric and dataset')
    .option('--md', 'a Markdown table')
    .action(
      async (options: {
        project?: string;
        where?: string;
        sortBy?: string;
        limit?: number;
        json?: boolean;
        csv?: boolean;
        md?: boolean;
      }) => {
        const format = formatOf(options);
        const { listExperiments, selectExperiments, listCsv, listMarkdown } =
          await import('@cairn/experiments');
        const { records, invalid } = await listExperiments(await workspaceRoot());
        const selected = selectExperiments(records, options);
        for (const entry of invalid) process.stderr.write(`warning: skipped ${entry.reason}\n`);
        if (format === 'json') printJson(selected);
        else if (format === 'csv') process.stdout.write(listCsv(selected));
        else if (format === 'md') process.stdout.write(listMarkdown(selected));
        else if (selected.length === 0)
          process.stdout.write('no experiments recorded (train, evaluate or tune a project)\n');
        else process.stdout.write(renderList(selected));
      },
    );

  exp
    .command('show <id>')
    .description('one experiment in full: params, metrics, per-step values, data, code, context')
    .option('--json', 'the record as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const { readExperiment } = await import('@cairn/experiments');
      const record = await readExperiment(await workspaceRoot(), id);
      if (options.json) {
        printJson(record);
        return;
      }
      const lines = [
        `experiment ${record.id}  ${record.project}  ${record.kind}  ${record.status}`,
        `created    ${record.created}  (${(record.durationMs / 1000).toFixed(1)} s on ${record.host})`,
        `commit     ${record.commit ?? '(none)'}${record.uncommitted ? ` + uncommitted changes ${record.uncommitted.slice(0, 12)}` : ''}`,
      ];
      if (record.nx) lines.push(`nx task    ${record.nx.task} (cache ${record.nx.cache})`);
      if (record.study) lines.push(`study      ${record.study.name}, trial ${record.study.trial}`);
      const section = (title: string, values: Record<string, unknown>) => {
        const entries = Object.entries(values);
        if (entries.length === 0) return;
        lines.push(`${title}:`);
        for (const [key, value] of entries)
          lines.push(`  ${key} = ${typeof value === 'string' ? value : JSON.stringify(value)}`);
      };
      section('params', record.params);
      section('metrics', record.metrics);
      section('data', record.data);
      for (const [name, points] of Object.entries(record.steps ?? {})) {
        lines.push(
          `steps ${name}: ${points.length} values, last ${shortNumber(points[points.length - 1]!.value)} at step ${points[points.length - 1]!.step}`,
        );
      }
      if (record.artifacts.length) lines.push(`artifacts: ${record.artifacts.join(', ')}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  exp
    .command('diff <a> <b>')
    .description('two experiments side by side: params, metrics (with deltas), data and code')
    .option('--json', 'rows of { section, key, a, b, changed, delta }')
    .option('--md', 'a Markdown table')
    .option('--all', 'also show what is the same')
    .action(async (a: string, b: string, options: { json?: boolean; md?: boolean; all?: boolean }) => {
      const format = formatOf(options);
      const { readExperiment, diffExperiments, diffMarkdown, markdownTable } =
        await import('@cairn/experiments');
      const root = await workspaceRoot();
      const [left, right] = [await readExperiment(root, a), await readExperiment(root, b)];
      const rows = diffExperiments(left, right).filter(
        (row) => options.all || row.changed || format === 'json',
      );
      if (format === 'json') printJson({ a: left.id, b: right.id, rows });
      else if (format === 'md') process.stdout.write(diffMarkdown(left, right, rows));
      else {
        const text = (value: unknown) =>
          value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
        // The Markdown table without its rules reads well enough as text.
        process.stdout.write(
          markdownTable(
            ['section', 'key', left.id, right.id],
            rows.map((row) => [row.section, row.key, text(row.a), text(row.b)]),
          )
            .split('\n')
            .filter((line) => !line.startsWith('| ---'))
            .map((line) => line.replace(/^\| | \|$/g, '').replace(/ \| /g, '  '))
            .join('\n'),
        );
      }
    });

  exp
    .command('apply <id>')
    .description(
      "write an experiment's params into its project's config (model.json / experiment.json) as a change to review and commit",
    )
    .option('--json', 'print { id, project, configFile, params, changed }')
    .action(async (id: string, options: { json?: boolean }) => {
      const { applyExperiment } = await import('@cairn/pipeline');
      const result = await applyExperiment(await workspaceRoot(), id);
      if (options.json) printJson(result);
      else if (!result.changed)
        process.stdout.write(`${result.configFile} already has the params of ${result.id}\n`);
      else
        process.stdout.write(
          `wrote the params of ${result.id} into ${result.configFile}: review with git diff, then commit\n`,
        );
    });

  exp
    .command('remove <ids...>')
    .description('delete experiments (their refs); git gc reclaims the objects')
    .option('--json', 'print the refs removed')
    .action(async (ids: string[], options: { json?: boolean }) => {
      const { removeExperiments } = await import('@cairn/experiments');
      const removed = await removeExperiments(await workspaceRoot(), ids);
      if (options.json) printJson({ removed });
      else process.stdout.write(`removed ${removed.length} experiment(s)\n`);
    });

  exp
    .command('gc')
    .description('remove failed, old or surplus experiments and unreadable records; refresh the local index')
    .option('--failed', 'remove failed and pruned runs')
    .option(
      '--older-than <days>',
      'remove runs created more than this many days ago',
      wholeNumber('older-than'),
    )
    .option('--keep-last <n>', 'per project, keep only the n newest', wholeNumber('keep-last'))
    .option('-n, --dry-run', 'list what would be removed and remove nothing')
    .option('--json', 'print { removed, kept }')
    .action(
      async (options: {
        failed?: boolean;
        olderThan?: number;
        keepLast?: number;
        dryRun?: boolean;
        json?: boolean;
      }) => {
        const { gcExperiments } = await import('@cairn/experiments');
        const result = await gcExperiments(await workspaceRoot(), {
          failed: options.failed,
          before:
            options.olderThan === undefined
              ? undefined
              : new Date(Date.now() - options.olderThan * 86_400_000),
          keepLast: options.keepLast,
          dryRun: options.dryRun,
        });
        if (options.json) printJson(result);
        else
          process.stdout.write(
            `${options.dryRun ? 'would remove' : 'removed'} ${result.removed.length} experiment(s), kept ${result.kept}\n`,
          );
      },
    );

  for (const direction of ['push', 'pull'] as const) {
    exp
      .command(`${direction} [remote]`)
      .description(
        `${direction} every experiment ref ${direction === 'push' ? 'to' : 'from'} a git remote (default origin)`,
      )
      .action(async (remote: string | undefined) => {
        const { pushExperiments, pullExperiments } = await import('@cairn/experiments');
        const root = await workspaceRoot();
        if (direction === 'push') {
          await pushExperiments(root, remote ?? 'origin');
          process.stdout.write(`pushed refs/cairn/exps/* to ${remote ?? 'origin'}\n`);
        } else {
          const { records } = await pullExperiments(root, remote ?? 'origin');
          process.stdout.write(
            `fetched refs/cairn/exps/* from ${remote ?? 'origin'}: ${records.length} experiment(s) known\n`,
          );
        }
      });
  }
}
