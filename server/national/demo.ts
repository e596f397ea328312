import { Place } from '../../models/place.model.js';
import { User, type UserRecord } from '../../models/user.model.js';
import { approveMonth } from '../approvals/approvals.service.js';
import { toAuthUser } from '../auth/auth.service.js';
import type { Config } from '../config.js';
import { AppError } from '../errors/app-error.js';
import { logger } from '../logger.js';
import { previousMonth } from '../reports/provincial-report.service.js';

/**
 * Something for the demo central office (`demo.national`) to look at, through the sign-off service itself:
 * last month East Azerbaijan's fund manager approved every county and then the province (its report is final),
 * while in Mazandaran only Sari county approved (the province is still awaited). These approvals are illustrative:
 * the central office's pages mark approvals made by demo accounts as such. Does nothing where they already exist,
 * or when last month had no campaign yet.
 */
export async function createDemoApprovals(config: Config, now = new Date()): Promise<number> {
  const month = previousMonth(now);
  const [fund03, sari] = await Promise.all([demoUser('demo.fund.03'), demoUser('demo.sari')]);
  let approved = 0;
  const approve = async (user: UserRecord | null, place: string) => {
    if (!user) return;
    try {
      await approveMonth(toAuthUser(user), place, month, config, now);
      approved++;
    } catch (err) {
      // already approved, or no campaign in that month: the demo simply has less to show
      if (!(err instanceof AppError && err.status === 409)) throw err;
    }
  };
  if (fund03) {
    const counties = (await Place.distinct('code', { province: fund03.province, level: 'county' }).setOptions({ scope: 'system' })) as string[];
    for (const county of counties.sort()) await approve(fund03, county);
    await approve(fund03, fund03.province);
  }
  await approve(sari, sari?.placeCode ?? '');
  if (approved) logger.info({ month, approved }, 'demo approvals made (illustrative)');
  return approved;
}

async function demoUser(username: string): Promise<UserRecord | null> {
  return User.findOne({ username, demo: true }).setOptions({ scope: 'system' }).lean<UserRecord>();
}
