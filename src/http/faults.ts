import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { storeFaultOf } from '../db/errors.js';
import { AppError, envelopeItem, errorEnvelope, type ErrorName } from '../core/errors.js';

/** Seconds a client should wait before retrying while the store is unavailable. */
export const STORE_RETRY_AFTER_SECONDS = 5;
/** A full store needs an operator: retrying much sooner only adds load. */
export const STORE_FULL_RETRY_AFTER_SECONDS = 60;

/**
 * The catalogue error a store fault answers with, or undefined for any other error: an
 * unreachable, hung or overloaded store is 503 STORE_UNAVAILABLE, a full one 507 STORE_FULL,
 * both with `Retry-After`. The transaction was rolled back: nothing changed.
 */
export function storeFaultError(error: unknown): AppError | undefined {
  const fault = storeFaultOf(error);
  if (fault === 'full') {
    return AppError.of('STORE_FULL', 'the store is full: nothing was changed; reads still work', {
      'retry-after': String(STORE_FULL_RETRY_AFTER_SECONDS),
    });
  }
  if (fault === 'unavailable') {
    return AppError.of(
      'STORE_UNAVAILABLE',
      `the store is unavailable: nothing was changed; retry in ${STORE_RETRY_AFTER_SECONDS} s`,
      { 'retry-after': String(STORE_RETRY_AFTER_SECONDS) },
    );
  }
  return undefined;
}

/** What a connection-level failure answers, in the contract's envelope. */
function clientErrorAnswer(code: string | undefined): { name: ErrorName; message: string } {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { name: 'REQUEST_TIMEOUT', message: 'the request was not received in time' };
    case 'HPE_HEADER_OVERFLOW':
      return {
        name: 'HEADERS_TOO_LARGE',
        message: 'the request line and headers are larger than 16 KiB',
      };
    case 'HPE_INVALID_METHOD':
      return { name: 'BAD_REQUEST', message: 'the request method is not an HTTP method' };
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
    case 'HPE_INVALID_CONTENT_LENGTH':
      return {
        name: 'BAD_REQUEST',
        message:
          'the request has a bad Content-Length: one, a number, and not with Transfer-Encoding',
      };
    case 'HPE_INVALID_CHUNK_SIZE':
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return { name: 'BAD_REQUEST', message: 'the request body is not correctly chunked' };
    default:
      return { name: 'BAD_REQUEST', message: 'the request is not valid HTTP/1.1' };
  }
}

/**
 * Answers requests that fail below HTTP (bad framing, a method the parser does not know,
 * headers too large, a request not sent in time) in the contract's envelope, then closes the
 * connection: after a framing error the rest of the stream cannot be trusted.
 */
export function clientErrorHandler(
  this: FastifyInstance,
  error: Error & { code?: string },
  socket: Socket,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { name, message } = clientErrorAnswer(error.code);
  const item = envelopeItem(name, message);
  const status = name === 'REQUEST_TIMEOUT' ? 408 : name === 'HEADERS_TOO_LARGE' ? 431 : 400;
  const body = JSON.stringify(errorEnvelope([item]));
  this.log.debug({ err: error }, 'client error');
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        `content-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * Bounds the time the server spends on a request: one not answered within `timeoutMs` (plus the
 * route's `waitsUpToMs`, for a long poll) is answered 503 SERVER_TIMEOUT with `Retry-After`. Whatever the handler still does afterwards
 * (a write may yet commit) is not reported to the client, which is why the message points to
 * `Idempotency-Key`.
 */
export function installRequestDeadline(app: FastifyInstance, timeoutMs: number): void {
  const timers = new WeakMap<object, NodeJS.Timeout>();
  app.addHook('onRequest', async (request, reply) => {
    const deadlineMs = timeoutMs + (request.routeOptions.config.waitsUpToMs ?? 0);
    const timer = setTimeout(() => {
      if (reply.sent) return;
      request.log.warn({ timeoutMs: deadlineMs }, 'request timed out');
      void reply
        .status(503)
        .header('retry-after', String(STORE_RETRY_AFTER_SECONDS))
        .header('connection', 'close')
        .send(
          errorEnvelope([
            envelopeItem(
              'SERVER_TIMEOUT',
              `the request took longer than ${deadlineMs} ms; it may or may not have been applied: retry with the same Idempotency-Key`,
            ),
          ]),
        );
    }, deadlineMs);
    timer.unref();
    timers.set(request, timer);
  });
  app.addHook('onResponse', async (request) => {
    clearTimeout(timers.get(request));
  });
  // A request whose client went away still stops its timer.
  app.addHook('onRequestAbort', async (request) => {
    clearTimeout(timers.get(request));
  });
}
