import type { Command } from 'commander';
import { printJson } from '../output';

export function register(program: Command): void {
  const audit = program
    .command('audit')
    .description(
      'The hash-chained audit log of registry and deployment actions (refs/cairn/registry:audit.jsonl)',
    );

  audit
    .command('log')
    .description('Every audited action, oldest first')
    .option('--kind <kind>', 'only entries of this kind (e.g. alias.set)')
    .option('--json', 'print the entries as JSON')
    .action(async (options: { kind?: string; json?: boolean }) => {
      const entries = (await (await import('@cairn/registry')).readAudit(process.cwd())).filter(
        (entry) => options.kind === undefined || entry.kind === options.kind,
      );
      if (options.json) return printJson(entries);
      for (const entry of entries) {
        process.stdout.write(
          `${entry.seq}  ${entry.at}  ${entry.kind}  ${entry.subject}  by ${entry.who}: ${entry.why}  [${entry.hash.slice(0, 12)}]\n`,
        );
      }
    });

  audit
    .command('verify')
    .description(
      'Check the chain and the heads recorded in the registry history; exits 1 naming the first bad entry',
    )
    .option('--json', 'print the verdict as JSON')
    .action(async (options: { json?: boolean }) => {
      const { assertAuditIntact, verifyAudit } = await import('@cairn/registry');
      if (options.json) {
        const verdict = await verifyAudit(process.cwd());
        printJson(verdict);
        if (!verdict.ok) process.exitCode = 1;
        return;
      }
      const verdict = await assertAuditIntact(process.cwd());
      process.stdout.write(
        `ok: ${verdict.entries} entries chained, ${verdict.anchors} recorded heads match\n`,
      );
    });
}
