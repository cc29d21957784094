import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ts from 'typescript';

/**
 * Type-checks parsed workflows against the types @schemastore/github-workflow
 * generates from SchemaStore's github-workflow JSON schema (the package ships
 * those types, not the schema file itself), with the real TypeScript compiler.
 * Returns the diagnostics of each workflow.
 */
export function schemaDiagnostics(...workflows: unknown[]): string[][] {
  const typesFile = join(dirname(require.resolve('@schemastore/github-workflow/package.json')), 'index.d.ts');
  const dir = mkdtempSync(join(tmpdir(), 'cairn-ci-schema-'));
  try {
    const files = workflows.map((workflow, index) => {
      const file = join(dir, `workflow${index}.ts`);
      writeFileSync(
        file,
        `import type { HttpsJsonSchemastoreOrgGithubWorkflowJson as Workflow } from ${JSON.stringify(typesFile.replace(/\.d\.ts$/, ''))};\n` +
          `export const workflow: Workflow = ${JSON.stringify(workflow, null, 2)};\n`,
      );
      return file;
    });
    const program = ts.createProgram(files, {
      strict: true,
      noEmit: true,
      types: [],
      lib: ['lib.es5.d.ts'],
      skipLibCheck: true,
      module: ts.ModuleKind.CommonJS,
    });
    return files.map((file) =>
      ts
        .getPreEmitDiagnostics(program, program.getSourceFile(file))
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
