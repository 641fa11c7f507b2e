import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, envelopeItem, errorEnvelope } from '../core/errors.js';
import { validationError } from './validation.js';
import { storeFaultError } from './faults.js';

/** Maps Fastify's own request errors (parsing, size, media type) to the catalogue. */
function fromFastifyError(error: FastifyError, bodyLimit: number): AppError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return AppError.of(
        'UNSUPPORTED_MEDIA_TYPE',
        'the body must be JSON, sent with Content-Type: application/json',
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return AppError.of(
        'PAYLOAD_TOO_LARGE',
        `the body must be at most ${bodyLimit} bytes (BODY_LIMIT_BYTES)`,
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return AppError.of('MALFORMED_JSON', 'the body is empty but its content type is JSON');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return AppError.of('MALFORMED_JSON', 'the body is not valid JSON');
    default:
      break;
  }
  if (error.validation) return validationError(error.validation, error.validationContext ?? 'body');
  if (error instanceof SyntaxError && error.statusCode === 400) {
    return AppError.of('MALFORMED_JSON', 'the body is not valid JSON');
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return AppError.of('BAD_REQUEST', 'the request is malformed');
  }
  return undefined;
}

/**
 * The one error handler: every failure leaves as the contract's envelope with a catalogue code.
 * Unexpected errors are logged with their stack and answered as INTERNAL, with no internals.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const fault = error instanceof AppError ? undefined : storeFaultError(error);
    if (fault) request.log.warn({ err: error }, 'store fault');
    const known =
      error instanceof AppError
        ? error
        : (fault ??
          fromFastifyError(
            error,
            request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? 0,
          ));
    if (known) {
      return reply
        .status(known.statusCode)
        .headers(known.headers)
        .send(errorEnvelope(known.items, request.warnings));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply
      .status(500)
      .send(errorEnvelope([envelopeItem('INTERNAL', 'internal error; it has been logged')]));
  });
}
