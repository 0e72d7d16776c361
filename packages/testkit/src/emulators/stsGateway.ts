import { createServer, type IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { closeServer, listenLoopback, readRequestBody } from '@tourniquet/core/testkit';

export interface StsGatewayOptions {
  /** moto's endpoint: every request is answered by moto. */
  target: string;
  /** Access keys known from the start (the caller's base credentials), key → secret. */
  credentials: Record<string, string>;
}

export interface StsGateway {
  /** Use as the STS endpoint: AssumeRole through it, and proofs presigned for it. */
  url: string;
  stop(): Promise<void>;
}

/**
 * STS in front of moto, where moto 5.2.1 falls short of AWS for presigned requests: moto reads
 * the caller only from an `Authorization` header (a presigned GetCallerIdentity is answered as
 * the default `user/moto`) and verifies no signature. The gateway verifies a presigned request's
 * SigV4 signature as STS does — with the secret of the access key it names, over exactly the
 * headers it signs, within its expiry — and answers SignatureDoesNotMatch / ExpiredToken /
 * InvalidClientTokenId like STS; a valid one is passed to moto with the access key in a header,
 * so moto names the caller it knows (the assumed-role ARN for AssumeRole credentials). Secrets of
 * credentials issued by AssumeRole through the gateway are learnt from moto's answers.
 */
export async function startStsGateway(options: StsGatewayOptions): Promise<StsGateway> {
  const secrets = new Map(Object.entries(options.credentials));
  const target = new URL(options.target);
  const server = createServer((request, response) => {
    readRequestBody(request)
      .then(async (body) => {
        const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
        const headers = forwardable(request.headers);
        if (request.method === 'GET' && url.searchParams.has('X-Amz-Credential')) {
          const problem = await verifyPresigned(url, request.headers, secrets);
          if (problem) {
            response.writeHead(problem.status, { 'content-type': 'text/xml' });
            response.end(stsError(problem.code, problem.message));
            return;
          }
          const credential = url.searchParams.get('X-Amz-Credential') as string;
          headers.authorization = `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=host, Signature=verified-by-gateway`;
        }
        const answer = await fetch(new URL(`${url.pathname}${url.search}`, target), {
          method: request.method,
          headers: { ...headers, host: target.host },
          body: body.length > 0 ? new Uint8Array(body) : undefined,
        });
        const text = await answer.text();
        learnCredentials(text, secrets);
        response.writeHead(answer.status, {
          'content-type': answer.headers.get('content-type') ?? 'text/xml',
        });
        response.end(text);
      })
      .catch((error: unknown) => {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(`gateway failed: ${(error as Error).message}`);
      });
  });
  const port = await listenLoopback(server);
  return { url: `http://127.0.0.1:${port}`, stop: () => closeServer(server) };
}

function forwardable(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === 'host' || name === 'content-length') continue;
    out[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return out;
}

/** AssumeRole (and GetSessionToken) answers carry new credentials: remember their secrets. */
function learnCredentials(xml: string, secrets: Map<string, string>): void {
  const key = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(xml)?.[1];
  const secret = /<SecretAccessKey>([^<]+)<\/SecretAccessKey>/.exec(xml)?.[1];
  if (key && secret) secrets.set(key, secret);
}

async function verifyPresigned(
  url: URL,
  received: IncomingHttpHeaders,
  secrets: Map<string, string>,
): Promise<{ status: number; code: string; message: string } | null> {
  const q = url.searchParams;
  const scope = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/.exec(
    q.get('X-Amz-Credential') ?? '',
  );
  if (!scope) return { status: 400, code: 'IncompleteSignature', message: 'bad credential scope' };
  const [, accessKeyId, , region, service] = scope as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  const secretAccessKey = secrets.get(accessKeyId);
  if (!secretAccessKey) {
    return {
      status: 403,
      code: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid.',
    };
  }
  const amzDate = q.get('X-Amz-Date') ?? '';
  const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
  if (!AMZ_DATE.test(amzDate)) {
    return { status: 400, code: 'IncompleteSignature', message: 'bad X-Amz-Date' };
  }
  const signingDate = new Date(amzDate.replace(AMZ_DATE, '$1-$2-$3T$4:$5:$6Z'));
  const expiresIn = Number(q.get('X-Amz-Expires'));
  if (signingDate.getTime() + expiresIn * 1000 < Date.now()) {
    return { status: 403, code: 'ExpiredToken', message: 'Request has expired' };
  }
  const signedHeaders = (q.get('X-Amz-SignedHeaders') ?? '').split(';');
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = received[name];
    if (value === undefined) {
      return {
        status: 403,
        code: 'SignatureDoesNotMatch',
        message: `signed header ${name} missing`,
      };
    }
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of q) if (k !== 'X-Amz-Signature') query[k] = v;
  const signer = new SignatureV4({
    credentials: {
      accessKeyId,
      secretAccessKey,
      sessionToken: q.get('X-Amz-Security-Token') ?? undefined,
    },
    region,
    service,
    sha256: Sha256,
  });
  const [hostname, port] = (headers.host ?? url.host).split(':');
  const expected = await signer.presign(
    new HttpRequest({
      method: 'GET',
      protocol: 'http:',
      hostname: hostname as string,
      port: port ? Number(port) : undefined,
      path: url.pathname,
      query,
      headers,
    }),
    { expiresIn, signingDate },
  );
  if (expected.query?.['X-Amz-Signature'] !== q.get('X-Amz-Signature')) {
    return {
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided.',
    };
  }
  return null;
}

function stsError(code: string, message: string): string {
  return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>gateway</RequestId></ErrorResponse>`;
}
