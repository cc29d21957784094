import { createServer } from 'node:http';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parsePort } from './serve';
import { workspaceRoot } from './add';

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'write the experiments report: one self-contained HTML file (table, parallel coordinates, curves, confusion matrices, ROC/PR, importance, lineage), no network needed',
    )
    .option('--out <dir>', 'folder to write index.html into', 'dist/cairn/report')
    .action(async (options: { out: string }) => {
      const { writeExperimentReport } = await import('@cairn/pipeline');
      const root = await workspaceRoot();
      const file = await writeExperimentReport(root, resolve(process.cwd(), options.out));
      process.stdout.write(`wrote ${file}\n`);
    });

  program
    .command('ui')
    .description('serve the experiments report on localhost, rebuilt from the records on every page load')
    .option('--port <port>', 'port to listen on (0: any free port)', parsePort, 4242)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (options: { port: number; host: string }) => {
      const { reportData, renderReportHtml } = await import('@cairn/pipeline');
      const root = await workspaceRoot();
      const server = createServer((request, response) => {
        if (request.method !== 'GET' || (request.url !== '/' && request.url !== '/index.html')) {
          response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
          return;
        }
        reportData(root).then(
          (data) =>
            response
              .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
              .end(renderReportHtml(data)),
          (error: unknown) =>
            response.writeHead(500, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`),
        );
      });
      await new Promise<void>((done) => server.listen(options.port, options.host, done));
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      process.stdout.write(`cairn ui: http://${options.host}:${port}/ (Ctrl-C to stop)\n`);
    });
}
