/**
 * The pino logger. Secrets never reach a log line: tokens in URLs are masked and auth headers
 * and secret-bearing fields are redacted wherever they appear.
 */
import { pino, type Logger } from 'pino';

const SECRET_QUERY = /([?&](?:token|key|admin_token)=)[^&#]*/gi;

export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(SECRET_QUERY, '$1[redacted]');
}

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'token',
  'password',
  '*.token',
  '*.password',
  'data.password',
  'data.token',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'voicebot' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination as pino.DestinationStream | undefined,
  );
}
