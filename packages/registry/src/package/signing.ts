import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { registryError } from '../errors';

/** A detached signature of an image: ed25519 over the manifest digest string. */
export interface PackageSignature {
  algorithm: 'ed25519';
  /** `sha256:…` of the OCI manifest. */
  manifestDigest: string;
  /** Base64 of the 64-byte signature over the UTF-8 bytes of `manifestDigest`. */
  signature: string;
  /** Base64 of the signer's raw 32-byte public key, to tell keys apart (not to trust them). */
  publicKey: string;
}

/**
 * A key from a PEM file or an environment variable holding the PEM text
 * (`CAIRN_SIGNING_KEY` for signing, `CAIRN_VERIFY_KEY` for verifying).
 */
export function loadKey(kind: 'private' | 'public', source: { file?: string; env?: string }): KeyObject {
  const variable = source.env ?? (kind === 'private' ? 'CAIRN_SIGNING_KEY' : 'CAIRN_VERIFY_KEY');
  let pem: string | undefined;
  let where: string;
  if (source.file) {
    where = source.file;
    try {
      pem = readFileSync(source.file, 'utf8');
    } catch (error) {
      throw registryError(
        'PACKAGE_KEY_INVALID',
        `${source.file}: cannot read the ${kind} key (${(error as Error).message})`,
        {
          file: source.file,
        },
      );
    }
  } else {
    where = `$${variable}`;
    pem = process.env[variable];
    if (!pem?.trim()) {
      throw registryError(
        'PACKAGE_KEY_INVALID',
        `no ${kind} key: pass --key <file> or set ${variable}`,
        { env: variable },
        'make a key pair with `openssl genpkey -algorithm ed25519 -out signing.pem` and `openssl pkey -in signing.pem -pubout -out signing.pub.pem`',
      );
    }
  }
  let key: KeyObject;
  try {
    key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
  } catch (error) {
    throw registryError(
      'PACKAGE_KEY_INVALID',
      `${where}: not a PEM ${kind} key (${(error as Error).message})`,
      { source: where },
    );
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw registryError(
      'PACKAGE_KEY_INVALID',
      `${where}: a ${String(key.asymmetricKeyType)} key, not ed25519`,
      { source: where },
    );
  }
  return key;
}

function rawPublicKey(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  // The SPKI DER of an ed25519 key is a fixed 12-byte prefix and the 32 raw bytes.
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64');
}

export function signManifestDigest(manifestDigest: string, privateKey: KeyObject): PackageSignature {
  return {
    algorithm: 'ed25519',
    manifestDigest,
    signature: sign(null, Buffer.from(manifestDigest, 'utf8'), privateKey).toString('base64'),
    publicKey: rawPublicKey(privateKey),
  };
}

/**
 * Checks `signature` against `publicKey` and the manifest digest actually
 * found in the image: PACKAGE_SIGNATURE_INVALID when the signature is not
 * by that key or was made over another manifest.
 */
export function verifyManifestSignature(
  signature: PackageSignature,
  manifestDigest: string,
  publicKey: KeyObject,
): void {
  if (signature.manifestDigest !== manifestDigest) {
    throw registryError(
      'PACKAGE_SIGNATURE_INVALID',
      `the signature is over ${signature.manifestDigest}, the image's manifest is ${manifestDigest}`,
      { signed: signature.manifestDigest, actual: manifestDigest },
    );
  }
  const ok =
    signature.algorithm === 'ed25519' &&
    verify(
      null,
      Buffer.from(manifestDigest, 'utf8'),
      publicKey,
      Buffer.from(signature.signature ?? '', 'base64'),
    );
  if (!ok) {
    throw registryError(
      'PACKAGE_SIGNATURE_INVALID',
      `the signature over ${manifestDigest} was not made by the given key`,
      { manifestDigest, signer: signature.publicKey, key: rawPublicKey(publicKey) },
    );
  }
}
