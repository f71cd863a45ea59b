import { ERROR_CODES, type ErrorCode } from '../../protocol/errors.ts';

/** An expected failure with a stable protocol code; transports turn it into an HTTP or WS error. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CODES[code],
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const fail = (code: ErrorCode, message?: string): never => {
  throw new AppError(code, message);
};
