import { LoginFailure, type LoginFailureRecord } from '../../models/login-failure.model.js';
import type { Config } from '../config.js';
import { AppError } from '../errors/app-error.js';

/** The counters a sign-in attempt is charged to: the account asked for and the address asking. */
function keys(login: string, address: string): { account: string; address: string } {
  return { account: `account:${login.trim().toLowerCase()}`, address: `address:${address}` };
}

/**
 * Refuses (429) a sign-in while the account or the address has failed too often in the window, saying when to try
 * again. An account is locked after LOGIN_RATE_LIMIT failures, an address after LOGIN_ADDRESS_RATE_LIMIT (higher: an
 * office of many people shares one address, and only failures count).
 */
export async function assertMaySignIn(config: Config, login: string, address: string): Promise<void> {
  const k = keys(login, address);
  const now = new Date();
  const counts = await LoginFailure.find({ _id: { $in: [k.account, k.address] }, expiresAt: { $gt: now } }).lean<LoginFailureRecord[]>();
  const over = counts.filter((c) => c.count >= (c._id === k.account ? config.loginRateLimit : config.loginAddressRateLimit));
  if (over.length === 0) return;
  const until = new Date(Math.max(...over.map((c) => c.expiresAt.getTime())));
  const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
  throw new AppError('tooManyAttempts', 'auth.tooManyAttempts', 429, { minutes, retryAfterSeconds: Math.ceil((until.getTime() - now.getTime()) / 1000) });
}

/** A failed sign-in: counted against the account and the address, each count living one window from its first failure. */
export async function recordFailedSignIn(config: Config, login: string, address: string): Promise<void> {
  const expiresAt = new Date(Date.now() + config.loginRateWindowMinutes * 60_000);
  const k = keys(login, address);
  await LoginFailure.bulkWrite(
    [k.account, k.address].map((id) => ({
      updateOne: { filter: { _id: id, expiresAt: { $gt: new Date() } }, update: { $inc: { count: 1 } } },
    })),
    { ordered: false },
  );
  // a count whose window has passed (or none yet) starts again at one
  for (const id of [k.account, k.address]) {
    await LoginFailure.updateOne({ _id: id, expiresAt: { $lte: new Date() } }, { $set: { count: 1, expiresAt } });
    await LoginFailure.updateOne({ _id: id }, { $setOnInsert: { count: 1, expiresAt } }, { upsert: true }).catch((err: unknown) => {
      if ((err as { code?: number }).code !== 11000) throw err;
    });
  }
}

/** A successful sign-in clears the account's failures (not the address's: another person there may be guessing). */
export async function clearAccountFailures(login: string): Promise<void> {
  await LoginFailure.deleteOne({ _id: keys(login, '').account });
}
