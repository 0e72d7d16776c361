import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** What the fake moto's server answers on every path: proof of whose moto is running. */
export const FAKE_MOTO_ANSWER = 'fake moto from the loopback index';

/**
 * Just enough of moto for the launcher: `moto.server.main` parses -H/-p and serves through
 * `moto.server.run_simple` (which the launcher wraps), and `moto_server` is its entry point.
 */
const SERVER_PY = `import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass

def run_simple(host, port, app, **options):
    make_server(host, port, app, handler_class=Quiet).serve_forever()

def app(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'${FAKE_MOTO_ANSWER}']

def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    run_simple(args[args.index('-H') + 1], int(args[args.index('-p') + 1]), app)
`;

const WHEEL = 'moto-5.2.1-py3-none-any.whl';

/** Zips a wheel by hand (no build backend, so no index is needed to build it). */
const ZIP_WHEEL = `
import base64, hashlib, json, sys, zipfile
files = json.load(sys.stdin)
record = []
with zipfile.ZipFile(sys.argv[1], 'w') as wheel:
    for name, text in files.items():
        data = text.encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()
        wheel.writestr(name, data)
        record.append('%s,sha256=%s,%d' % (name, digest, len(data)))
    record.append('moto-5.2.1.dist-info/RECORD,,')
    wheel.writestr('moto-5.2.1.dist-info/RECORD', '\\n'.join(record) + '\\n')
`;

export function buildFakeMotoWheel(dir: string): string {
  const path = join(dir, WHEEL);
  const files = {
    'moto/__init__.py': '__version__ = "5.2.1"\n',
    'moto/server.py': SERVER_PY,
    'moto-5.2.1.dist-info/METADATA':
      'Metadata-Version: 2.1\nName: moto\nVersion: 5.2.1\nProvides-Extra: server\n',
    'moto-5.2.1.dist-info/WHEEL':
      'Wheel-Version: 1.0\nGenerator: tourniquet-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
    'moto-5.2.1.dist-info/entry_points.txt': '[console_scripts]\nmoto_server = moto.server:main\n',
  };
  execFileSync('python3', ['-c', ZIP_WHEEL, path], { input: JSON.stringify(files) });
  return path;
}

export interface LoopbackIndex {
  /** The PEP 503 simple index, for PIP_INDEX_URL. */
  url: string;
  /** Every path pip asked for, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** A PEP 503 "simple" index on 127.0.0.1 holding one wheel. */
export async function startLoopbackIndex(wheelPath: string): Promise<LoopbackIndex> {
  const wheel = readFileSync(wheelPath);
  const sha256 = createHash('sha256').update(wheel).digest('hex');
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push(path);
    if (path === '/simple/moto/') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(
        `<!DOCTYPE html><html><body><a href="/files/${WHEEL}#sha256=${sha256}">${WHEEL}</a></body></html>`,
      );
    } else if (path === `/files/${WHEEL}`) {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.end(wheel);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/simple/`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * A Python 3 that cannot import moto: a venv of this machine's Python without its site
 * packages (nor pip). `hideEnsurepip` makes it look like Debian's python3 without python3-venv.
 */
export function pythonWithoutMoto(dir: string, options: { hideEnsurepip?: boolean } = {}): string {
  execFileSync('python3', ['-m', 'venv', '--without-pip', dir]);
  if (options.hideEnsurepip) {
    const sitePackages = execFileSync(join(dir, 'bin', 'python3'), [
      '-c',
      'import sysconfig; print(sysconfig.get_paths()["purelib"])',
    ])
      .toString()
      .trim();
    writeFileSync(join(sitePackages, 'hide.pth'), "import sys; sys.modules['ensurepip'] = None\n");
  }
  return join(dir, 'bin');
}
