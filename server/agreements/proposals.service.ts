import mongoose, { type Types } from 'mongoose';
import { ClauseProposal, type ClauseProposalRecord } from '../../models/clause-proposal.model.js';
import type { DeadlineRecord } from '../../models/resolution.model.js';
import type { AuthUser, ScopeUser } from '../auth/scope.js';
import { AppError, notFound, validationFailed } from '../errors/app-error.js';
import { getThread, raisersOf } from '../field-problems/problems.service.js';
import { toJalali, type JalaliDate } from '../shared/jalali.js';
import { assertOwner, checkClause, getAgreement, isVolunteer, writeClause } from './agreements.service.js';

export interface ProposalInput {
  text: string;
  agency: string;
  deadline: DeadlineRecord;
  policyAxis?: string;
  topics?: string[];
  /** Field-problem threads it answers (ids of their first reports). */
  problems?: string[];
  illustrative?: boolean;
}

const jalaliDay = (instant: Date): JalaliDate => {
  const j = toJalali(instant);
  return { year: j.year, month: j.month, day: j.day };
};

/**
 * A volunteer of the agreement's working group (or its owner) turns field problems into a proposed clause. The
 * problems must be ones the proposer can see; their topics join the proposal's, and everyone who reported them
 * is kept so they can be told what became of it.
 */
export async function proposeClause(actor: AuthUser, agreementId: string, input: ProposalInput, now = new Date()): Promise<ClauseProposalRecord> {
  const agreement = await getAgreement(actor, agreementId);
  if (actor.role !== 'governor-office' && !(await isVolunteer(actor, agreement))) throw new AppError('forbidden', 'agreements.notVolunteer', 403);
  const threads = [];
  for (const id of input.problems ?? []) {
    try {
      threads.push(await getThread(actor, id));
    } catch (err) {
      if (err instanceof AppError && err.status === 404) throw validationFailed({ problems: 'agreements.unknownProblem' });
      throw err;
    }
  }
  const topics = [...new Set([...(input.topics ?? []), ...threads.map((t) => t.topic)])];
  if (!topics.length) throw validationFailed({ topics: 'agreements.needsTopicOrProblem' });
  await checkClause(actor, { ...input, topics }, jalaliDay(now));
  const raisers = await raisersOf(actor, threads.map((t) => String(t._id)));
  const raisedBy = [...new Map(raisers.map((r) => [r.username, { username: r.username, role: r.role, placeCode: r.placeCode }])).values()];
  const created = await new ClauseProposal({
    agreement: agreement._id,
    text: input.text,
    agency: input.agency,
    deadline: input.deadline,
    ...(input.policyAxis ? { policyAxis: input.policyAxis } : {}),
    topics,
    problems: threads.map((t) => t._id),
    raisedBy,
    state: 'proposed',
    proposedBy: actor.username,
    proposedAt: now,
    ...(input.illustrative ? { illustrative: true } : {}),
    province: agreement.province,
    placePath: agreement.placePath,
  }).save();
  return created.toObject() as unknown as ClauseProposalRecord;
}

export async function proposalsOf(user: ScopeUser, agreementId: Types.ObjectId): Promise<ClauseProposalRecord[]> {
  return ClauseProposal.find({ agreement: agreementId }).setOptions({ scope: { role: 'governor-office', placeCode: user.province, province: user.province } }).sort({ proposedAt: -1 }).lean<ClauseProposalRecord[]>();
}

export async function getProposal(user: ScopeUser, id: string): Promise<ClauseProposalRecord> {
  if (!mongoose.isValidObjectId(id)) throw notFound();
  const proposal = await ClauseProposal.findById(id).setOptions({ scope: 'system' }).lean<ClauseProposalRecord>();
  if (!proposal) throw notFound();
  if (proposal.province !== user.province) throw new AppError('outOfScope', 'errors.outOfScope', 403);
  return proposal;
}

/**
 * The agreement's owner decides on a proposed clause. Adopted: it becomes the agreement's next clause and a
 * commitment (a deadline counted from today, progress updates, reminders), and its raisers are told by the next
 * reminders run. Declined: the reason is required and kept. A proposal is decided once (409 afterwards); the
 * decision, the clause and the commitment are written in one transaction.
 */
export async function decideProposal(actor: AuthUser, proposalId: string, input: { decision: 'adopt' | 'decline'; reason?: string }, now = new Date()): Promise<ClauseProposalRecord> {
  const proposal = await getProposal(actor, proposalId);
  const agreement = await getAgreement(actor, proposal.agreement);
  assertOwner(actor, agreement);
  if (proposal.state !== 'proposed') throw new AppError('alreadyDecided', 'agreements.alreadyDecided', 409);
  if (input.decision === 'decline' && !input.reason) throw validationFailed({ reason: 'agreements.declineNeedsReason' });
  const clause = { text: proposal.text, agency: proposal.agency, deadline: proposal.deadline, topics: proposal.topics, ...(proposal.policyAxis ? { policyAxis: proposal.policyAxis } : {}) };
  if (input.decision === 'adopt') await checkClause(actor, clause, jalaliDay(now));
  return mongoose.connection.transaction(async (session) => {
    let clauseNumber: number | undefined;
    if (input.decision === 'adopt') {
      const written = await writeClause(actor, agreement, { ...clause, reason: input.reason ?? proposal.text, proposal: proposal._id, ...(proposal.illustrative ? { illustrative: true } : {}) }, session, now);
      clauseNumber = written.number;
    }
    const decided = await ClauseProposal.findOneAndUpdate(
      { _id: proposal._id, state: 'proposed' },
      { $set: { state: input.decision === 'adopt' ? 'adopted' : 'declined', decision: { by: actor.username, at: now, ...(input.reason ? { reason: input.reason } : {}) }, ...(clauseNumber ? { clauseNumber } : {}) } },
      { returnDocument: 'after', session },
    )
      .setOptions({ scope: actor })
      .lean<ClauseProposalRecord>();
    // decided by someone else meanwhile: the transaction is abandoned with the clause it would have added
    if (!decided) throw new AppError('alreadyDecided', 'agreements.alreadyDecided', 409);
    return decided;
  });
}
