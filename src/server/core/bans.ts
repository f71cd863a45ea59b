/** What the core asks of bans: is this session, address or name allowed in? */
export interface BanSubject {
  sessionId?: string | null;
  ip?: string | null;
  name?: string | null;
}

export interface BanChecker {
  /** Throws AppError('banned') when a live ban covers the subject. */
  assertAllowed(subject: BanSubject): void;
}

export const noBans: BanChecker = { assertAllowed: () => {} };
