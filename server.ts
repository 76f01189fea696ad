/**
 * Formwarden's production server: Next's request handler behind a plain
 * Node HTTP server, so that the client IP comes from the TCP socket and not
 * from headers the client wrote (see lib/auth/client-ip.ts for the threat).
 * `npm run serve [-- -p 3000 -H 0.0.0.0]` starts it; `npm start` builds first.
 */
import { createServer } from 'node:http';
import next from 'next';
import { markServedByEntry, stampClientIp } from './lib/auth/client-ip';
import { env } from './lib/env';

// Like `next start`: the production build and React's production mode.
(process.env as Record<string, string>).NODE_ENV ??= 'production';

function argument(names: string[]): string | undefined {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split('=', 2);
    if (names.includes(flag)) return inline ?? args[i + 1];
  }
  return undefined;
}

async function main() {
  const config = env();
  const port = Number(argument(['-p', '--port']) ?? config.port);
  const hostname = argument(['-H', '--hostname']);
  const app = next({ dev: false, port, hostname: hostname ?? 'localhost' });
  const handle = app.getRequestHandler();
  await app.prepare();
  markServedByEntry();
  const server = createServer((req, res) => {
    stampClientIp(req.headers, req.socket.remoteAddress, config.trustProxy);
    void handle(req, res);
  });
  server.listen(port, hostname, () => {
    console.log(`[formwarden] ready on http://${hostname ?? 'localhost'}:${port} (trusted proxy hops: ${config.trustProxy})`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  console.error('[formwarden] could not start:', e instanceof Error ? e.message : e);
  process.exit(1);
});
