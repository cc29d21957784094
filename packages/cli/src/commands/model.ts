import type { Command } from 'commander';
import { cairnError } from '@cairn/errors';
import type { AliasEvent, ModelVersion } from '@cairn/registry';
import { printJson } from '../output';
import { join } from 'node:path';
import { fromCwd, workspaceRoot } from './add';

interface JsonOption {
  json?: boolean;
}
interface MoveOptions extends JsonOption {
  why?: string;
  expect?: string;
}

const NO_REASON = '(no reason given)';

/** `--at` as a time; anything Date cannot read exactly is OPTION_INVALID. */
export function parseAt(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time)) {
    throw cairnError('OPTION_INVALID', `--at ${value}: not an ISO time`, {
      data: { option: 'at', value },
      hint: 'write e.g. 2026-03-01T12:00:00Z (a date alone means midnight UTC)',
    });
  }
  return new Date(time);
}

/** `--expect N|none`: the alias's holder the move requires. */
function parseExpected(value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return null;
  const version = Number(value.replace(/^v/, ''));
  if (!Number.isInteger(version) || version < 1) {
    throw cairnError('OPTION_INVALID', `--expect ${value}: not a version`, {
      data: { option: 'expect', value },
      hint: 'a version number, or `none` when the alias must not exist yet',
    });
  }
  return version;
}

function parseVersion(value: string): number {
  const version = Number(value.replace(/^v/, ''));
  if (!Number.isInteger(version) || version < 1) {
    throw cairnError('OPTION_INVALID', `${value}: not a version number`, {
      data: { option: 'version', value },
    });
  }
  return version;
}

function describeVersion(version: ModelVersion): string {
  const metrics = Object.entries(version.metrics)
    .filter(([, value]) => typeof value === 'number')
    .map(([name, value]) => `${name}=${(value as number).toFixed(4)}`)
    .join(' ');
  return [
    `${version.model}@${version.version}  registered ${version.registeredAt} by ${version.registeredBy}`,
    `  artifact  ${version.artifact.hash} (${version.artifact.size} bytes)`,
    `  run       ${version.run.id} (${version.run.project})`,
    `  code      ${version.code.commit ?? '(not in git)'}${version.code.dirty ? ' (dirty)' : ''}`,
    `  data      ${Object.entries(version.inputs)
      .map(([name, input]) => `${name}=${input.hash.slice(0, 12)}`)
      .join(' ')}`,
    `  params    ${JSON.stringify(version.params)}`,
    `  metrics   ${metrics}`,
    `  signature ${version.signature.inputs.map((input) => `${input.name}:${input.type}`).join(', ')} -> ${
      version.signature.outputs.name
    }${version.signature.outputs.labels ? ` {${version.signature.outputs.labels.join(', ')}}` : ''}`,
  ].join('\n');
}

function describeEvent(model: string, event: AliasEvent): string {
  const from = event.previous === null ? 'new' : `from ${event.previous}`;
  return `${event.at}  ${model}#${event.alias} -> ${event.version} (${event.action}, ${from}) by ${event.who}: ${event.why}`;
}

function printMove(model: string, event: AliasEvent | undefined, json: boolean | undefined): void {
  if (json) printJson(event ?? { changed: false });
  else if (event) process.stdout.write(`${describeEvent(model, event)}\n`);
  else process.stdout.write(`${model}: alias already there, nothing recorded\n`);
}

export function register(program: Command): void {
  const registry = () => import('@cairn/registry');
  const model = program
    .command('model')
    .description('The git-native model registry: versions, aliases and their history (refs/cairn/registry)');

  model
    .command('register <projects...>')
    .description(
      "Record each model project's current artifact, from the train run that made it, as its next version",
    )
    .option('--why <reason>', 'reason recorded in the audit log')
    .option('--json', 'print the version records as JSON')
    .action(async (projects: string[], options: MoveOptions) => {
      const { registerProject } = await import('@cairn/pipeline');
      const root = await workspaceRoot();
      const results = [];
      for (const project of projects) {
        const { version, created } = await registerProject(root, project, { why: options.why });
        results.push({ ...version, created });
        if (!options.json) {
          process.stdout.write(
            `${created ? 'registered' : 'already registered as'} ${version.model}@${version.version}\n`,
          );
        }
      }
      if (options.json) printJson(projects.length === 1 ? results[0] : results);
    });

  model
    .command('alias <model> <alias> <version>')
    .description('Point an alias (champion, challenger, any name) at a version')
    .option('--expect <version|none>', 'fail with REGISTRY_ALIAS_CONFLICT unless the alias holds this now')
    .option('--why <reason>', 'reason recorded in the audit log')
    .option('--json', 'print the alias change as JSON')
    .action(async (name: string, alias: string, version: string, options: MoveOptions) => {
      const { setAlias } = await registry();
      const { event } = await setAlias(process.cwd(), {
        model: name,
        alias,
        version: parseVersion(version),
        why: options.why ?? NO_REASON,
        expected: parseExpected(options.expect),
      });
      printMove(name, event, options.json);
    });

  model
    .command('promote <reference>')
    .description('Move an alias (default champion) to what model, model@N or model#alias names now')
    .option('--to <alias>', 'alias to move', 'champion')
    .option('--expect <version|none>', 'fail with REGISTRY_ALIAS_CONFLICT unless the alias holds this now')
    .option('--why <reason>', 'reason recorded in the audit log')
    .option('--json', 'print the alias change as JSON')
    .action(async (reference: string, options: MoveOptions & { to: string }) => {
      const { resolveModel, setAlias } = await registry();
      const version = await resolveModel(process.cwd(), reference);
      const { event } = await setAlias(process.cwd(), {
        model: version.model,
        alias: options.to,
        version: version.version,
        why: options.why ?? `promote ${reference}`,
        expected: parseExpected(options.expect),
      });
      printMove(version.model, event, options.json);
    });

  model
    .command('rollback <model> <alias>')
    .description('Return an alias to the version that held it before')
    .option('--expect <version>', 'fail with REGISTRY_ALIAS_CONFLICT unless the alias holds this now')
    .option('--why <reason>', 'reason recorded in the audit log')
    .option('--json', 'print the alias change as JSON')
    .action(async (name: string, alias: string, options: MoveOptions) => {
      const { rollbackAlias } = await registry();
      const event = await rollbackAlias(process.cwd(), {
        model: name,
        alias,
        why: options.why ?? NO_REASON,
        expected: parseExpected(options.expect),
      });
      printMove(name, event, options.json);
    });

  model
    .command('list')
    .description('Registered models with their latest version and current aliases')
    .option('--json', 'print as JSON')
    .action(async (options: JsonOption) => {
      const models = await (await registry()).listModels(process.cwd());
      if (options.json) return printJson(models);
      if (models.length === 0) return void process.stdout.write('no model registered yet\n');
      const width = Math.max(...models.map((entry) => entry.model.length));
      for (const entry of models) {
        const aliases = Object.entries(entry.aliases)
          .map(([alias, version]) => `${alias}=${version}`)
          .join(' ');
        const line = `${entry.model.padEnd(width)}  latest ${entry.latest}  (${entry.versions} versions)  ${aliases}`;
        process.stdout.write(`${line.trimEnd()}\n`);
      }
    });

  model
    .command('show <reference>')
    .description('One version, named as model (latest), model@N or model#alias')
    .option('--at <iso-time>', 'resolve an alias as it stood at this time')
    .option('--json', 'print the version record as JSON')
    .action(async (reference: string, options: JsonOption & { at?: string }) => {
      const version = await (
        await registry()
      ).resolveModel(process.cwd(), reference, { at: parseAt(options.at) });
      if (options.json) printJson(version);
      else process.stdout.write(`${describeVersion(version)}\n`);
    });

  model
    .command('history <model>')
    .description('Who pointed which alias at which version, when and why')
    .option('--alias <alias>', 'only this alias')
    .option('--at <iso-time>', 'the changes up to this time, and who held each alias then')
    .option('--json', 'print as JSON')
    .action(async (name: string, options: JsonOption & { alias?: string; at?: string }) => {
      const { aliasHistory, aliasesAt } = await registry();
      const at = parseAt(options.at);
      const events = await aliasHistory(process.cwd(), name, { alias: options.alias, at });
      const holders = await aliasesAt(process.cwd(), name, at);
      if (options.alias)
        for (const alias of Object.keys(holders)) if (alias !== options.alias) delete holders[alias];
      if (options.json) return printJson({ model: name, at: at?.toISOString() ?? null, holders, events });
      for (const event of events) process.stdout.write(`${describeEvent(name, event)}\n`);
      const when = at ? `at ${at.toISOString()}` : 'now';
      const held = Object.entries(holders).map(
        ([alias, holder]) => `${alias}=${holder.version} (since ${holder.since}, ${holder.who})`,
      );
      process.stdout.write(`${when}: ${held.length ? held.join(', ') : 'no alias held'}\n`);
    });

  model
    .command('package <project>')
    .description(
      'Package a model: Dockerfile + context and a daemonless OCI image layout (server, runtime deps, artifact), signed when a key is given; prints the manifest digest',
    )
    .option('--out <dir>', 'output folder (default dist/cairn/<project root>/package)')
    .option('--base <image@sha256:digest>', 'base image pinned by digest (default $CAIRN_BASE_IMAGE)')
    .option(
      '--from <reference>',
      'package a registry version (iris@3, iris#champion) instead of the current artifact',
    )
    .option('--key <file>', 'ed25519 private key PEM to sign with (default $CAIRN_SIGNING_KEY when set)')
    .option('--why <reason>', 'reason recorded in the audit log (registry versions)')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        project: string,
        options: JsonOption & { out?: string; base?: string; from?: string; key?: string; why?: string },
      ) => {
        const { discoverProjects, packageDir, packageModel, resolveTrainable } =
          await import('@cairn/pipeline');
        const root = await workspaceRoot();
        const outDir = options.out
          ? fromCwd(options.out)
          : join(root, packageDir(resolveTrainable(await discoverProjects(root), project).root));
        const result = await packageModel(root, project, {
          outDir,
          baseImage: options.base,
          reference: options.from,
          signingKeyFile: options.key,
          why: options.why,
        });
        if (options.json) return printJson(result);
        for (const layer of result.layers) {
          process.stdout.write(`layer ${layer.name.padEnd(22)} ${layer.digest} (${layer.size} bytes)\n`);
        }
        process.stdout.write(`${result.signature ? 'signed ' : ''}manifest ${result.manifestDigest}\n`);
        process.stdout.write(`wrote ${result.outDir}/Dockerfile and ${result.outDir}/image (OCI layout)\n`);
      },
    );

  model
    .command('verify <package-dir>')
    .description(
      'Check a package: every blob of its OCI image against its digest, and its ed25519 signature over the manifest digest',
    )
    .option('--key <file>', 'ed25519 public key PEM (default $CAIRN_VERIFY_KEY)')
    .option('--json', 'print the verdict as JSON')
    .action(async (packageDir: string, options: JsonOption & { key?: string }) => {
      const { loadKey, readOciManifestDigest, verifyManifestSignature } = await registry();
      const { readFile } = await import('node:fs/promises');
      const manifestDigest = await readOciManifestDigest(join(packageDir, 'image'));
      let signature: import('@cairn/registry').PackageSignature;
      try {
        signature = JSON.parse(await readFile(join(packageDir, 'signature.json'), 'utf8'));
      } catch (error) {
        throw cairnError(
          'PACKAGE_SIGNATURE_INVALID',
          `${join(packageDir, 'signature.json')}: no readable signature`,
          {
            data: { file: join(packageDir, 'signature.json') },
            hint: 'sign when packaging: `cairn model package <project> --key signing.pem`',
            cause: error,
          },
        );
      }
      verifyManifestSignature(signature, manifestDigest, loadKey('public', { file: options.key }));
      if (options.json) printJson({ ok: true, manifestDigest, signer: signature.publicKey });
      else process.stdout.write(`ok: ${manifestDigest} signed by ${signature.publicKey}\n`);
    });
}
