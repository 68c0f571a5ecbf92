/**
 * Test certificates, made in JavaScript (selfsigned → @peculiar/x509 on Node's WebCrypto).
 * Never spawns `openssl`.
 *
 *  - createTestCertificates(): a private CA plus a TLS server certificate for `localhost` / 127.0.0.1
 *    signed by it, for a local HTTPS server (see test/support/idp.ts). `caFile` is what a child process
 *    can trust through NODE_EXTRA_CA_CERTS; in-process clients pass `caPem` as `ca`.
 *  - createClientCertificate(): a self-signed certificate + key for certificate-based client
 *    authentication (ClientCertificateCredential), with its SHA-1 / SHA-256 thumbprints.
 */
import { createHash, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generate } from 'selfsigned';

export interface TestCertificates {
  /** PEM of the CA that signed `certPem` (the trust anchor). */
  caPem: string;
  /** PEM of the TLS server certificate (SAN: DNS localhost, IP 127.0.0.1). */
  certPem: string;
  /** PKCS#8 PEM private key of `certPem`. */
  keyPem: string;
  /** File holding `caPem` (for NODE_EXTRA_CA_CERTS). */
  caFile: string;
  /** File holding `certPem`. */
  certFile: string;
  /** File holding `keyPem`. */
  keyFile: string;
  /** Directory the files were written to. */
  dir: string;
}

export interface ClientCertificate {
  /** PEM of the self-signed client certificate. */
  certPem: string;
  /** PKCS#8 PEM private key. */
  keyPem: string;
  /** certificate + private key in one PEM file, as ClientCertificateCredential's `certificatePath` wants. */
  pemFile: string;
  /** certificate + private key in one PEM string (ClientCertificateCredential's `{ certificate }` form). */
  pem: string;
  /** SHA-1 of the DER certificate, upper-case hex (what the Azure portal shows as "Thumbprint"). */
  thumbprintSha1: string;
  /** SHA-256 of the DER certificate, upper-case hex. */
  thumbprintSha256: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function freshDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'esim-idp-'));
}

function validity(): { notBeforeDate: Date; notAfterDate: Date } {
  const now = Date.now();
  return { notBeforeDate: new Date(now - DAY_MS), notAfterDate: new Date(now + 30 * DAY_MS) };
}

/** SHA-1 / SHA-256 thumbprints (upper-case hex) of a PEM certificate's DER encoding. */
export function certificateThumbprints(certPem: string): { sha1: string; sha256: string } {
  const der = new X509Certificate(certPem).raw;
  return {
    sha1: createHash('sha1').update(der).digest('hex').toUpperCase(),
    sha256: createHash('sha256').update(der).digest('hex').toUpperCase(),
  };
}

/**
 * A CA and a TLS server certificate for `localhost` + 127.0.0.1 signed by it (RSA 2048, SHA-256,
 * valid from now-1d to now+30d), written as PEM files to `dir` (default: a fresh temp directory).
 */
export async function createTestCertificates(dir: string = freshDir()): Promise<TestCertificates> {
  fs.mkdirSync(dir, { recursive: true });
  const ca = await generate([{ name: 'commonName', value: 'esim-subgraph test CA' }], {
    keySize: 2048,
    algorithm: 'sha256',
    ...validity(),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    ...validity(),
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  const caFile = path.join(dir, 'ca.pem');
  const certFile = path.join(dir, 'server-cert.pem');
  const keyFile = path.join(dir, 'server-key.pem');
  fs.writeFileSync(caFile, ca.cert);
  fs.writeFileSync(certFile, server.cert);
  fs.writeFileSync(keyFile, server.private, { mode: 0o600 });
  return { caPem: ca.cert, certPem: server.cert, keyPem: server.private, caFile, certFile, keyFile, dir };
}

/**
 * A self-signed client-authentication certificate (RSA 2048, SHA-256, now-1d..now+30d), with the
 * combined cert+key PEM written to `<dir>/client-<cn>.pem` (default: a fresh temp directory).
 */
export async function createClientCertificate(
  opts: { dir?: string; commonName?: string } = {},
): Promise<ClientCertificate> {
  const dir = opts.dir ?? freshDir();
  fs.mkdirSync(dir, { recursive: true });
  const commonName = opts.commonName ?? 'esim-subgraph-test-client';
  const generated = await generate([{ name: 'commonName', value: commonName }], {
    keySize: 2048,
    algorithm: 'sha256',
    ...validity(),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  const certPem = generated.cert;
  const keyPem = generated.private;
  const pem = `${certPem.trimEnd()}\n${keyPem.trimEnd()}\n`;
  const pemFile = path.join(dir, `client-${commonName.replace(/[^A-Za-z0-9_.-]/g, '_')}.pem`);
  fs.writeFileSync(pemFile, pem, { mode: 0o600 });
  const { sha1, sha256 } = certificateThumbprints(certPem);
  return { certPem, keyPem, pemFile, pem, thumbprintSha1: sha1, thumbprintSha256: sha256 };
}
