import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import bcrypt from 'bcryptjs';
import { validationFailed } from '../errors/app-error.js';

/** bcrypt work factor: about 0.1 s per check on a small server, slow enough to blunt offline guessing. */
const ROUNDS = 10;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, ROUNDS);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

/** Compared against when no user matches, so an unknown username takes as long to refuse as a wrong password. */
export const DUMMY_HASH = bcrypt.hashSync('not-a-password', ROUNDS);

/** The strength a password needs on zxcvbn's 0–4 scale: 3 is "safely unguessable" against online and slow offline guessing. */
export const MIN_PASSWORD_SCORE = 3;

const estimator = new ZxcvbnFactory({ dictionary: { ...zxcvbnCommon.dictionary }, graphs: zxcvbnCommon.adjacencyGraphs });

/**
 * Refuses a guessable password (`12345678`, `password`, the person's username, mobile or name) on account creation
 * and on a password change, with the reason as a catalogue key beside the `password` field (or `field`).
 */
export function assertStrongPassword(password: string, person: { username?: string; mobile?: string; displayName?: string }, field = 'password'): void {
  const personal = [person.username, person.mobile, person.displayName, ...(person.username ?? '').split(/[.-]/)].filter((s): s is string => Boolean(s && s.length >= 3));
  const result = estimator.check(password, personal);
  if (result.score >= MIN_PASSWORD_SCORE) return;
  const warning = result.feedback.warning ?? '';
  const reason = warning === 'userInputs' ? 'validation.passwordPersonal' : /topTen|topHundred|common|similarToCommon|sequences|repeated|keyPattern|dates|recentYears/.test(warning) ? 'validation.passwordCommon' : 'validation.passwordWeak';
  throw validationFailed({ [field]: reason });
}
