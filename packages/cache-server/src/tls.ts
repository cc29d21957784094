import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cacheServerError } from './errors';

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw cacheServerError('TLS_FILE_UNREADABLE', `cannot read ${flag} ${file} (${reason})`, {
      data: { file, flag, reason },
      hint: `${flag} takes a readable PEM file`,
      cause: error,
    });
  }
}

function invalid(file: string, flag: string, what: string, error: unknown): Error {
  return cacheServerError('TLS_FILE_INVALID', `${flag} ${file} is not a PEM ${what}`, {
    data: { file, flag },
    hint: `expected a "-----BEGIN ${what === 'certificate' ? 'CERTIFICATE' : 'PRIVATE KEY'}-----" block (e.g. from openssl req -x509)`,
    cause: error,
  });
}

/**
 * Reads and checks the TLS certificate and key before the server starts, so
 * a wrong file is reported by name instead of as an OpenSSL failure.
 */
export function readTlsFiles(certFile: string, keyFile: string): { cert: Buffer; key: Buffer } {
  const cert = readPem(certFile, '--cert');
  const key = readPem(keyFile, '--key');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch (error) {
    throw invalid(certFile, '--cert', 'certificate', error);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw invalid(keyFile, '--key', 'private key', error);
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw cacheServerError(
      'TLS_KEY_MISMATCH',
      `--key ${keyFile} is not the private key of --cert ${certFile}`,
      { data: { cert: certFile, key: keyFile }, hint: 'pass the key the certificate was issued for' },
    );
  }
  return { cert, key };
}
