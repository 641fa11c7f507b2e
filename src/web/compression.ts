import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/**
 * Compression of the web app's answers (docs/web.md, "Page weight"): a store's connection is
 * often a weak mobile one, and pages are text that shrinks to a fifth. Done here with
 * `node:zlib` rather than a plugin: pages are small and whole (no streams), and the assets are
 * compressed once per process.
 */

export type Encoding = 'br' | 'gzip';

/** Answers smaller than this go as they are: the saving would not pay for the work. */
export const COMPRESS_FROM_BYTES = 1024;

/**
 * Brotli quality for pages: 5 compresses a page in well under a millisecond, close to what 11
 * gains at many times the cost. Assets, compressed once, get the best.
 */
const PAGE_QUALITY = 5;

/** The encoding to answer with for an `Accept-Encoding` header: brotli, else gzip, else none. */
export function encodingFor(acceptEncoding: string | string[] | undefined): Encoding | undefined {
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : (acceptEncoding ?? '');
  const accepted = new Set<string>();
  for (const part of header.split(',')) {
    const [name, ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const q = parameters.find((p) => p.startsWith('q='));
    if (name && (q === undefined || Number(q.slice(2)) > 0)) accepted.add(name);
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return undefined;
}

/** `body` compressed with `encoding`; `best` for what is compressed once and sent many times. */
export function compress(body: Buffer, encoding: Encoding, best = false): Buffer {
  if (encoding === 'gzip') return gzipSync(body, { level: best ? 9 : 6 });
  return brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: best ? constants.BROTLI_MAX_QUALITY : PAGE_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
}

/** A text asset and its compressed forms, made once. */
export function precompressed(text: string): { plain: Buffer } & Record<Encoding, Buffer> {
  const plain = Buffer.from(text);
  return { plain, br: compress(plain, 'br', true), gzip: compress(plain, 'gzip', true) };
}
