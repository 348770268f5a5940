import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { HealthReport } from './health.ts';

export interface HealthServerOptions {
  port: number;
  host: string;
  report: () => HealthReport;
  /** The `gridlink status` text, for when the embedded database is held by this process and no other can read it. */
  statusText?: () => Promise<string>;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** GET /healthz: 200 with the last successful run and its age, 503 when it is too old or there is none. */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const app = new Hono();
  app.get('/healthz', (c) => {
    const report = options.report();
    return c.json(report.body, report.ok ? 200 : 503);
  });
  if (options.statusText) {
    const statusText = options.statusText;
    app.get('/status', async (c) => c.text(`${await statusText()}\n`));
  }
  app.notFound((c) => c.text('gridlink scheduler: GET /healthz or /status\n', 404));

  let server: ServerType;
  const port = await new Promise<number>((resolve, reject) => {
    server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, (info: AddressInfo) => resolve(info.port));
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'EADDRINUSE'
            ? `Port ${options.port} on ${options.host} is in use: set health.port in the scheduler config to a free port (null turns the health endpoint off).`
            : `Cannot serve /healthz on ${options.host}:${options.port}: ${err.message}`,
        ),
      ),
    );
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections of a monitor would hold close() open.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
