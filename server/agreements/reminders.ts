import { Agreement, type AgreementRecord } from '../../models/agreement.model.js';
import { ClauseProposal, type ClauseProposalRecord } from '../../models/clause-proposal.model.js';
import type { Role } from '../auth/roles.js';
import type { OwedReminder, ReminderBook } from '../notifications/reminder-book.js';

/** A proposed clause waits this many days before its owner is reminded, then once a week. */
export const PROPOSAL_WAITING_DAYS = 7;
/** Raisers are told of adoptions decided within this many days (a longer-down server still catches up). */
const ADOPTION_NEWS_DAYS = 30;
const SHORT_TEXT = 140;
const DAY = 86_400_000;

/**
 * The agreements' reminders of `now`'s day, through the reminders job and the outbox like every other:
 * - `clause-proposal-waiting`: a proposed clause undecided for 7 days, to the governor's office of the province,
 *   then weekly (keyed by the week of waiting);
 * - `clause-adopted`: once per adopted proposal, to each person who reported one of its problems (the users of
 *   that role at that place).
 * Commitments of adopted clauses are resolutions, so the commitment reminders (due, overdue, stale) cover them.
 */
export async function clauseReminders(book: ReminderBook, now: Date): Promise<void> {
  const inProvince = book.province ? { province: book.province } : {};
  const waiting = await ClauseProposal.find({ ...inProvince, state: 'proposed', proposedAt: { $lte: new Date(now.getTime() - PROPOSAL_WAITING_DAYS * DAY) } }).setOptions({ scope: 'system' }).lean<ClauseProposalRecord[]>();
  const adopted = await ClauseProposal.find({ ...inProvince, state: 'adopted', 'decision.at': { $gte: new Date(now.getTime() - ADOPTION_NEWS_DAYS * DAY) } }).setOptions({ scope: 'system' }).lean<ClauseProposalRecord[]>();
  const agreements = new Map(
    (await Agreement.find({ ...inProvince, _id: { $in: [...waiting, ...adopted].map((p) => p.agreement) } }, { title: 1 }).setOptions({ scope: 'system' }).lean<Pick<AgreementRecord, '_id' | 'title'>[]>()).map((a) => [String(a._id), a]),
  );
  const owed = (proposal: ClauseProposalRecord, kind: OwedReminder['kind'], about: string, extra: Record<string, unknown>): OwedReminder => ({
    kind,
    about: `${kind}:${String(proposal._id)}${about}`,
    link: `/agreements/${String(proposal.agreement)}#proposal-${String(proposal._id)}`,
    params: {
      text: proposal.text.length > SHORT_TEXT ? `${proposal.text.slice(0, SHORT_TEXT)}…` : proposal.text,
      agreement: agreements.get(String(proposal.agreement))?.title ?? '',
      ...extra,
    },
    place: { province: proposal.province, placePath: proposal.placePath },
  });

  for (const proposal of waiting) {
    const days = Math.floor((now.getTime() - proposal.proposedAt.getTime()) / DAY);
    const week = Math.floor((days - PROPOSAL_WAITING_DAYS) / 7);
    await book.owe(owed(proposal, 'clause-proposal-waiting', `:w${week}`, { days, date: proposal.proposedAt }), book.directory.usersWith('governor-office', { province: proposal.province }));
  }
  for (const proposal of adopted) {
    const raisers = proposal.raisedBy.flatMap((r) => book.directory.usersWith(r.role as Role, { placeCodes: [r.placeCode], province: proposal.province }));
    await book.owe(owed(proposal, 'clause-adopted', '', { number: proposal.clauseNumber ?? 0, date: proposal.decision?.at ?? now }), raisers);
  }
  await book.flush();
}
