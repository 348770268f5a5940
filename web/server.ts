import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Database } from '../db/connect.ts';
import { createApp } from './app.ts';
import type { WebOptions } from './context.ts';

export interface ServeOptions extends Partial<WebOptions> {
  /** 0 picks a free port (tests). */
  port: number;
  host: string;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves the pages on the one Database of this process (PGlite cannot be shared between processes). */
export async function startServer(database: Database, options: ServeOptions): Promise<RunningServer> {
  const app = createApp(database, options);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, (info: AddressInfo) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            // Browsers keep connections alive; without this, close() waits for them to time out.
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${options.port} is already in use: choose another with --port N`) : err),
    );
  });
}
