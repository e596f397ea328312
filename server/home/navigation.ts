import type { NextFunction, Request, Response } from 'express';
import { ENROLLING_ROLES, type Role } from '../auth/roles.js';
import type { AuthUser } from '../auth/scope.js';
import type { Config } from '../config.js';

/** One destination of the navigation: its address and the catalogue key of its label. */
export interface Destination {
  href: string;
  label: string;
  current?: boolean;
}

export interface Navigation {
  /** The 3–5 places this role goes every day, always in view. */
  main: Destination[];
  /** Everything else this role may open, under the menu. */
  more: Destination[];
}

type Entry = { href: string | ((user: AuthUser) => string); label: string };

const HOME: Entry = { href: '/', label: 'home.nav.home' };
const ENROL: Entry = { href: '/enrolments/new', label: 'home.nav.enrol' };
const MY_ENROLMENTS: Entry = { href: '/enrolments', label: 'home.nav.enrolments' };
const IMPORT: Entry = { href: '/enrolments/import', label: 'home.nav.import' };
const VERIFY: Entry = { href: '/enrolments/verify', label: 'home.nav.verify' };
const CAMPAIGNS: Entry = { href: '/campaigns', label: 'home.nav.campaigns' };
const PLACES: Entry = { href: (user) => `/places/${user.placeCode}`, label: 'home.nav.places' };
const COMMITTEES: Entry = { href: '/committees', label: 'home.nav.committees' };
const COMPLIANCE: Entry = { href: '/committees/compliance', label: 'home.nav.compliance' };
const RESOLUTIONS: Entry = { href: '/resolutions', label: 'home.nav.resolutions' };
const AGENCIES: Entry = { href: '/agencies', label: 'home.nav.agencies' };
const MY_COMMITMENTS: Entry = { href: '/my/commitments', label: 'home.nav.myCommitments' };
const MY_AGENCY: Entry = { href: (user) => `/agencies/${user.agency ?? ''}`, label: 'home.nav.myAgency' };
const OVERVIEW: Entry = { href: '/overview', label: 'home.nav.overview' };
const REPORTS: Entry = { href: '/reports', label: 'home.nav.reports' };
const USERS: Entry = { href: '/admin/users', label: 'home.nav.users' };
const JOBS: Entry = { href: '/jobs', label: 'home.nav.jobs' };
const SETTINGS: Entry = { href: '/settings/notifications', label: 'home.nav.settings' };
const MAILBOX: Entry = { href: '/dev/mailbox', label: 'home.nav.mailbox' };
const FIELD_PROBLEMS: Entry = { href: '/field-problems', label: 'fieldProblems.nav' };
const AGREEMENTS: Entry = { href: '/agreements', label: 'agreements.nav' };
const NATIONAL_MONTHS: Entry = { href: '/national/months', label: 'national.nav.months' };

/**
 * What each role sees: its daily destinations first, the rest under the menu. A village head has no committee
 * and no resolution, so none is offered; an agency officer reads their commitments, not the census.
 */
const BY_ROLE: Record<Role, { main: Entry[]; more: Entry[] }> = {
  'village-head': { main: [HOME, ENROL, MY_ENROLMENTS, CAMPAIGNS], more: [FIELD_PROBLEMS, IMPORT, PLACES, SETTINGS] },
  mayor: { main: [HOME, ENROL, MY_ENROLMENTS, CAMPAIGNS], more: [FIELD_PROBLEMS, AGREEMENTS, IMPORT, PLACES, SETTINGS] },
  'district-governor': { main: [HOME, ENROL, CAMPAIGNS, PLACES], more: [FIELD_PROBLEMS, MY_ENROLMENTS, IMPORT, SETTINGS] },
  'county-governor': { main: [HOME, COMMITTEES, COMPLIANCE, RESOLUTIONS, CAMPAIGNS], more: [FIELD_PROBLEMS, AGREEMENTS, ENROL, MY_ENROLMENTS, IMPORT, AGENCIES, PLACES, SETTINGS] },
  'agency-officer': { main: [HOME, MY_COMMITMENTS, RESOLUTIONS, MY_AGENCY], more: [FIELD_PROBLEMS, AGREEMENTS, COMMITTEES, COMPLIANCE, AGENCIES, CAMPAIGNS, PLACES, SETTINGS] },
  'fund-manager': { main: [HOME, VERIFY, CAMPAIGNS, REPORTS], more: [ENROL, MY_ENROLMENTS, IMPORT, OVERVIEW, FIELD_PROBLEMS, AGREEMENTS, COMMITTEES, COMPLIANCE, RESOLUTIONS, AGENCIES, PLACES, SETTINGS] },
  'governor-office': { main: [HOME, CAMPAIGNS, COMMITTEES, RESOLUTIONS, REPORTS], more: [OVERVIEW, FIELD_PROBLEMS, AGREEMENTS, COMPLIANCE, AGENCIES, ENROL, MY_ENROLMENTS, USERS, JOBS, PLACES, SETTINGS] },
  viewer: { main: [HOME, CAMPAIGNS, PLACES], more: [COMMITTEES, COMPLIANCE, RESOLUTIONS, SETTINGS] },
  // the installation's own jobs, no province's work
  'installation-admin': { main: [HOME, JOBS], more: [SETTINGS] },
  // the fund's central office: the country on its home, month by month; it changes no province's work
  'national-office': { main: [HOME, NATIONAL_MONTHS], more: [SETTINGS] },
};

export function navigationFor(user: AuthUser, currentPath: string, options: { mailbox: boolean }): Navigation {
  const path = currentPath.split('?')[0]!;
  const toDestination = (entry: Entry): Destination => {
    const href = typeof entry.href === 'string' ? entry.href : entry.href(user);
    return { href, label: entry.label, current: href === '/' ? path === '/' : path === href };
  };
  const { main, more } = BY_ROLE[user.role];
  return { main: main.map(toDestination), more: [...more, ...(options.mailbox ? [MAILBOX] : [])].map(toDestination) };
}

/** Puts the signed-in user's navigation on every page (the development mailbox only exists without SMTP_URL). */
export function navigation(config: Pick<Config, 'smtpUrl'>) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.user) {
      res.locals.nav = navigationFor(req.user as AuthUser, req.originalUrl, { mailbox: !config.smtpUrl });
      // the offline queue's badge links to /enrolments/pending, open only to the roles that enrol
      res.locals.enrols = ENROLLING_ROLES.includes((req.user as AuthUser).role);
    }
    next();
  };
}
