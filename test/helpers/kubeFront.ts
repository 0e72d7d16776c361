import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private CA and a certificate it signed for 127.0.0.1, as an EKS cluster has (base64 CA). */
export interface TestPki {
  /** Base64 of the CA's PEM, the form DescribeCluster returns `certificateAuthority.data` in. */
  caData: string;
  cert: string;
  key: string;
}

/** Made with the openssl CLI: Node can verify certificates but not issue them. */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'kube-pki-'));
  const run = (command: string) =>
    execFileSync('openssl', command.split(' '), { cwd: dir, stdio: 'pipe' });
  const ec = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';
  try {
    run(`req -x509 ${ec} -keyout ca.key -out ca.pem -days 2 -subj /CN=kubernetes`);
    run(`req ${ec} -keyout server.key -out server.csr -subj /CN=kube-apiserver`);
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    run(
      'x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile san.ext',
    );
    return {
      caData: readFileSync(join(dir, 'ca.pem')).toString('base64'),
      cert: readFileSync(join(dir, 'server.pem'), 'utf8'),
      key: readFileSync(join(dir, 'server.key'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One request as it arrived on the wire. */
export interface WireRequest {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  body: string;
}

export interface KubeFront {
  url: string;
  requests: WireRequest[];
  stop(): Promise<void>;
}

function readAll(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * A front for an API server stand-in: records every request as it arrived, then passes it on
 * to `target` (or answers it with `answer`). With `tls`, it terminates HTTPS with that
 * certificate, as the EKS endpoint does.
 */
export async function startKubeFront(options: {
  target?: string;
  tls?: TestPki;
  answer?: (request: WireRequest) => {
    status: number;
    body: unknown;
    headers?: Record<string, string>;
  };
}): Promise<KubeFront> {
  const requests: WireRequest[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    readAll(req).then((body) => {
      const wire: WireRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: {
          authorization: req.headers.authorization,
          accept: req.headers.accept,
          'content-type': req.headers['content-type'],
        },
        body,
      };
      requests.push(wire);
      if (options.answer) {
        const { status, body: answer, headers } = options.answer(wire);
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(answer));
        return;
      }
      const target = new URL(options.target ?? '');
      const forwarded = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
        },
        (upstream) => {
          res.writeHead(upstream.statusCode ?? 502, upstream.headers);
          upstream.pipe(res);
        },
      );
      forwarded.on('error', () => res.destroy());
      forwarded.end(body);
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handle)
    : createHttpServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
