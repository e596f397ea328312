import { User } from '../../models/user.model.js';
import type { Role } from '../auth/roles.js';
import { usesEmbeddedDatabase, type Config } from '../config.js';
import { logger } from '../logger.js';
import type { Agency } from './agencies.js';
import { createUser } from './users.service.js';

/** The one password of every demo account (listed in the README). */
export const DEMO_PASSWORD = 'demo-1395';

export interface DemoAccount {
  username: string;
  displayName: string;
  mobile: string;
  role: Role;
  placeCode: string;
  agency?: Agency;
}

/**
 * One account per role, on real census places: Mazandaran (02) for the province roles, Sari county (0207),
 * Kiasar (a Sari town of 3,384 people), and in East Azerbaijan (03, which has village data) the village
 * Khajeh Dizaj with its district and province above it.
 */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { username: 'demo.governor', displayName: 'استانداری مازندران', mobile: '09120000001', role: 'governor-office', placeCode: '02' },
  { username: 'demo.fund', displayName: 'مدیر صندوق مازندران', mobile: '09120000002', role: 'fund-manager', placeCode: '02' },
  { username: 'demo.sari', displayName: 'فرماندار ساری', mobile: '09120000003', role: 'county-governor', placeCode: '0207' },
  { username: 'demo.mayor', displayName: 'شهردار کیاسر', mobile: '09120000004', role: 'mayor', placeCode: '0207C04' },
  { username: 'demo.agency', displayName: 'دفتر امور روستایی مازندران', mobile: '09120000005', role: 'agency-officer', placeCode: '02', agency: 'rural-affairs' },
  { username: 'demo.viewer', displayName: 'بیننده مازندران', mobile: '09120000006', role: 'viewer', placeCode: '02' },
  { username: 'demo.district', displayName: 'بخشدار مرکزی تبریز', mobile: '09120000007', role: 'district-governor', placeCode: '030303' },
  { username: 'demo.village', displayName: 'دهیار خواجه دیزج', mobile: '09120000008', role: 'village-head', placeCode: '0303030001029409' },
  { username: 'demo.governor.03', displayName: 'استانداری آذربایجان شرقی', mobile: '09120000009', role: 'governor-office', placeCode: '03' },
  { username: 'demo.fund.03', displayName: 'مدیر صندوق آذربایجان شرقی', mobile: '09120000010', role: 'fund-manager', placeCode: '03' },
  { username: 'demo.admin', displayName: 'مدیر سامانه', mobile: '09120000011', role: 'installation-admin', placeCode: '02' },
  // the fund's central office reads the whole country; its home province is for the account record only
  { username: 'demo.national', displayName: 'ستاد مرکزی صندوق', mobile: '09120000012', role: 'national-office', placeCode: '02' },
];

/** DEMO_DATA=auto creates them on the embedded default only, never on a MongoDB the application was given. */
export function wantsDemoUsers(config: Config): boolean {
  return config.demoData === 'yes' || (config.demoData === 'auto' && usesEmbeddedDatabase(config));
}

/** Creates the demo accounts that do not exist yet (the places must be loaded). */
export async function createDemoUsers(): Promise<number> {
  let created = 0;
  for (const account of DEMO_ACCOUNTS) {
    const exists = await User.exists({ username: account.username }).setOptions({ scope: 'system' });
    if (exists) continue;
    await createUser('system', { ...account, password: DEMO_PASSWORD, lang: 'fa' }, { demo: true });
    created++;
  }
  if (created) logger.info({ created, password: DEMO_PASSWORD }, 'demo accounts created (see README)');
  return created;
}
