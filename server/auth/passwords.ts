import bcrypt from 'bcryptjs';

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
