import { createServer } from 'node:net';

/**
 * A TCP port that was free on 127.0.0.1 a moment ago: the OS picks it (listen on 0),
 * we close and hand it out. Another process can still grab it in between, so callers
 * that bind a server should retry once on "address in use".
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close((err) => (err ? reject(err) : port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}
