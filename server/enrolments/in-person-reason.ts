/**
 * Seed 004: services are electronic first, and in person only for a person with a disability or who asks for it.
 * So an in-person enrolment says why, and an online one says nothing of it. The one rule, run by the server
 * (validation.ts) and by the phone before it queues an enrolment (offline-checks.ts, bundled for public/offline/),
 * so both refuse the same thing in the same words.
 *
 * `reason` is the canonical code; undefined when none was given, null when what was given is no reason of the
 * list. `optional`: a file row may leave the reason out (recorded as "not recorded"; see validation.ts).
 * Answers the message key to show beside the field, or null.
 */
export function inPersonReasonProblem(channel: string | null | undefined, reason: string | null | undefined, options: { optional?: boolean } = {}): string | null {
  if (reason === null || (reason !== undefined && channel === 'online')) return 'enrolments.inPersonReasonInvalid';
  if (reason === undefined && channel === 'in-person' && !options.optional) return 'enrolments.inPersonReasonRequired';
  return null;
}
