import { ensureAgencyRegister } from '../../server/committees/agencies.service.js';
import { loadCommitteeReferenceData } from '../../server/committees/reference-data.js';
import type { Config } from '../../server/config.js';
import { createDemoEnrolments } from '../../server/enrolments/demo.js';
import { createDemoUsers } from '../../server/users/demo.js';
import { createDemoApprovals } from '../../server/national/demo.js';
import { loadPlaces } from './places.js';

/**
 * The demo a fresh `npm start` shows, on the test database: Mazandaran and the Tabriz central district (every
 * place a demo account works in), the demo accounts, their campaigns and enrolments, and the committee reference data.
 */
export async function loadDemo(config: Config): Promise<void> {
  await loadPlaces('02', '030303');
  await ensureAgencyRegister();
  await createDemoUsers();
  await createDemoEnrolments(config);
  await createDemoApprovals(config);
  await loadCommitteeReferenceData();
}
