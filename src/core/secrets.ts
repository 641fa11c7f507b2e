import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/**
 * OWASP's recommended Argon2id parameters (m=19 MiB, t=2, p=1). `algorithm: 2` is Argon2id; the
 * library declares the enum `const`, which isolated modules cannot import.
 */
const ARGON2ID = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** Argon2id hash (PHC string) of a secret. */
export function hashSecret(secret: string): Promise<string> {
  return hash(secret, ARGON2ID);
}

/** Constant-time Argon2id verification; false on any malformed hash. */
export async function verifySecret(hashed: string, secret: string): Promise<boolean> {
  try {
    return await verify(hashed, secret);
  } catch {
    return false;
  }
}

/** MD5 hex of a password: the form the contract's clients send in Basic auth. */
export function md5Hex(password: string): string {
  return createHash('md5').update(password, 'utf8').digest('hex');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** A URL-safe random token of `bytes` bytes of entropy. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
