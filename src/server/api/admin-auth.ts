/**
 * The admin token check: constant-time comparison, and wrong tokens limited per client address
 * (after too many, even the right token is refused for a while). Answers never hint whether the
 * resource exists: the check runs before routing to it.
 */
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import { AppError } from '../core/errors.ts';
import { bearerToken, clientIp } from './http-support.ts';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

export type AdminAuthConfig = Pick<Config, 'ADMIN_TOKEN' | 'TRUST_PROXY'>;

/** Constant-time comparison of a presented secret (token, key) with the configured one. */
export function sameSecret(given: string | null | undefined, expected: string | undefined): boolean {
  if (!given || !expected) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

export function createAdminGuard(config: AdminAuthConfig, failuresPerMinute = 10) {
  const failures = new RateLimiterMemory({ points: failuresPerMinute, duration: 60 });
  return async function requireAdmin(request: FastifyRequest): Promise<void> {
    const ip = clientIp(request.raw, config.TRUST_PROXY) ?? 'unknown';
    const used = await failures.get(ip);
    if (used && used.consumedPoints >= failuresPerMinute) {
      throw new AppError(
        'rate_limited',
        'Too many wrong admin tokens from this address; try again in a minute.',
      );
    }
    if (sameSecret(bearerToken(request), config.ADMIN_TOKEN)) return;
    await failures.penalty(ip, 1);
    throw new AppError('admin_required');
  };
}
