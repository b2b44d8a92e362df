// A fake PostgreSQL server on 127.0.0.1 that logs what a client sends before it is
// let in: the startup parameters and every password message. It asks for the
// password the way a hostile or careless server might (in clear text, or MD5), then
// refuses the login, so a test can see exactly what would have leaked.
import { createServer, type Server, type Socket } from 'node:net';

export interface FakePgServer {
  port: number;
  /** every startup message: its parameters (user, database, …) */
  startups: Record<string, string>[];
  /** the payload of every password message, as sent (clear text, or md5…) */
  passwords: string[];
  /** connections opened to this server */
  connections: number;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const PROTOCOL_3 = 196608;

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function int32s(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeInt32BE(v, 4 * i));
  return b;
}

function loginRefused(): Buffer {
  const fields = ['SFATAL', 'VFATAL', 'C28P01', 'Mpassword authentication failed'].map((f) => Buffer.from(`${f}\0`, 'utf8'));
  return message('E', Buffer.concat([...fields, Buffer.from([0])]));
}

export async function startFakePgServer(opts: { auth: 'cleartext' | 'md5' }): Promise<FakePgServer> {
  const state: FakePgServer = { port: 0, startups: [], passwords: [], connections: 0, close: async () => undefined };
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let started = false;
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (!started) {
          if (buf.length < 8) return;
          const len = buf.readInt32BE(0);
          if (buf.length < len) return;
          const code = buf.readInt32BE(4);
          const body = buf.subarray(8, len);
          buf = buf.subarray(len);
          if (code === SSL_REQUEST) {
            socket.write('N'); // no TLS here
            continue;
          }
          if (code !== PROTOCOL_3) return void socket.destroy();
          const parts = body.toString('utf8').split('\0');
          const params: Record<string, string> = {};
          for (let i = 0; i + 1 < parts.length && parts[i]; i += 2) params[parts[i]!] = parts[i + 1]!;
          state.startups.push(params);
          started = true;
          socket.write(opts.auth === 'cleartext' ? message('R', int32s(3)) : message('R', Buffer.concat([int32s(5), Buffer.from([1, 2, 3, 4])])));
          continue;
        }
        if (buf.length < 5) return;
        const len = buf.readInt32BE(1);
        if (buf.length < len + 1) return;
        const type = buf.toString('latin1', 0, 1);
        const body = buf.subarray(5, len + 1);
        buf = buf.subarray(len + 1);
        if (type === 'p') {
          state.passwords.push(body.toString('utf8').replace(/\0$/, ''));
          socket.end(loginRefused());
          return;
        }
        if (type === 'X') return void socket.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as { port: number }).port;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}
