import type { UserRecord } from '../../models/user.model.js';
import { issueApiToken } from '../../server/auth/auth.service.js';
import type { Role } from '../../server/auth/roles.js';
import type { Agency } from '../../server/users/agencies.js';
import { createUser as createAccount } from '../../server/users/users.service.js';

export const TEST_PASSWORD = 'test-password-1395';

let counter = 0;

export interface TestUser extends UserRecord {
  password: string;
}

/** A user for a test, through the real service (the place must be loaded): `await createUser({ role: 'village-head', placeCode })`. */
export async function createUser(input: { role: Role; placeCode: string; username?: string; mobile?: string; agency?: Agency; password?: string; lang?: 'fa' | 'en' }): Promise<TestUser> {
  counter++;
  const password = input.password ?? TEST_PASSWORD;
  const user = await createAccount('system', {
    username: input.username ?? `${input.role}-${counter}`,
    displayName: `${input.role} ${counter}`,
    role: input.role,
    placeCode: input.placeCode,
    password,
    lang: input.lang ?? 'fa',
    ...(input.mobile ? { mobile: input.mobile } : {}),
    ...(input.agency ? { agency: input.agency } : input.role === 'agency-officer' ? { agency: 'fund' as const } : {}),
  });
  return { ...user, password };
}

/** A bearer token for `user`, as POST /api/v1/auth/token would give. */
export async function apiToken(user: { _id: unknown }): Promise<string> {
  return (await issueApiToken(String(user._id), 1)).token;
}
