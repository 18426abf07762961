// A loopback HTTP proxy in front of the real registry that injects faults: answer 503 (or any
// status) to the first N matching requests, or refuse every request with 401. It lets tests watch
// the real docker client and our registry client survive or fail fast, without mocking either.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultProxyOptions {
  /** `host:port` of the real registry. */
  target: string;
  /** Requests (method + path) that count as matching; default all. */
  match?: (req: IncomingMessage) => boolean;
  /** Answer this status to the first `failures` matching requests. */
  status?: number;
  failures?: number;
  /** Answer 401 with a Basic challenge to every request. */
  unauthorized?: boolean;
}

export interface FaultProxy {
  /** `127.0.0.1:<port>` to use as the registry host. */
  address: string;
  /** How many requests were answered with a fault. */
  faults(): number;
  /** How many requests were seen in total. */
  requests(): number;
  close(): Promise<void>;
}

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  let faults = 0;
  let requests = 0;
  const [host, port] = opts.target.split(':');
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests++;
    if (opts.unauthorized) {
      faults++;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="kx-test"', 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    const matches = opts.match ? opts.match(req) : true;
    if (matches && faults < (opts.failures ?? 0)) {
      faults++;
      req.resume();
      res.writeHead(opts.status ?? 503, { 'Content-Type': 'application/json', Connection: 'close' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'injected fault' }] }));
      return;
    }
    const upstream = request(
      { host, port: Number(port), method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    address,
    faults: () => faults,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
