import mongoose, { type Types } from 'mongoose';
import { FieldProblem } from '../../models/field-problem.model.js';
import { OTHER_TOPIC, ProblemTopic, type ProblemTopicRecord } from '../../models/problem-topic.model.js';
import type { AuthUser, ScopeUser } from '../auth/scope.js';
import { AppError, forbidden, validationFailed } from '../errors/app-error.js';
import type { Lang } from '../i18n/index.js';
import { comparePersian } from '../shared/persian-text.js';

/**
 * The topics every province's list starts with: the obstacles village heads, mayors and governors meet again and
 * again in the outreach campaign (issue 13). The governor's office adds others, often from the "other" problems.
 */
export const STARTING_TOPICS: readonly { code: string; nameFa: string; nameEn: string }[] = [
  { code: 'premium-too-high', nameFa: 'حق بیمه برای خانوار سنگین است', nameEn: 'The premium is too high for a family' },
  { code: 'residence-unconfirmed', nameFa: 'سکونت تأیید نمی‌شود', nameEn: 'Residence cannot be confirmed' },
  { code: 'no-internet', nameFa: 'دهیاری اینترنت ندارد', nameEn: 'No internet at the village office' },
  { code: 'id-mismatch', nameFa: 'کد ملی با ثبت احوال نمی‌خواند', nameEn: 'National ID does not match the civil registry' },
  { code: 'away-at-harvest', nameFa: 'کشاورزان در فصل برداشت در دسترس نیستند', nameEn: 'Farmers are away at harvest' },
  { code: OTHER_TOPIC, nameFa: 'سایر', nameEn: 'Other' },
];

export interface TopicView {
  code: string;
  name: string;
  active: boolean;
}

/** Gives a province its starting list once (an upsert per topic, so two servers doing it at once agree). */
export async function ensureTopics(province: string): Promise<void> {
  if (await ProblemTopic.exists({ code: OTHER_TOPIC }).setOptions({ scope: { role: 'governor-office', placeCode: province, province } })) return;
  await ProblemTopic.bulkWrite(
    STARTING_TOPICS.map((topic) => ({
      updateOne: {
        filter: { province, code: topic.code },
        update: { $setOnInsert: { ...topic, active: true, createdBy: 'system', fromOther: [], province, placePath: [province] } },
        upsert: true,
      },
    })),
    { ordered: false },
  );
}

/** The province's topics in the reader's language and Persian order, "other" last. */
export async function listTopics(user: ScopeUser, lang: Lang, options: { includeRetired?: boolean } = {}): Promise<TopicView[]> {
  await ensureTopics(user.province);
  const records = await ProblemTopic.find({ province: user.province, ...(options.includeRetired ? {} : { active: true }) }).setOptions({ scope: provinceOf(user) }).lean<ProblemTopicRecord[]>();
  return records
    .map((r) => ({ code: r.code, name: lang === 'fa' ? r.nameFa : r.nameEn, active: r.active }))
    .sort((a, b) => Number(a.code === OTHER_TOPIC) - Number(b.code === OTHER_TOPIC) || comparePersian(a.name, b.name));
}

/** Topic code → name for the reader, retired ones included (old problems still name them). */
export async function topicNames(user: ScopeUser, lang: Lang): Promise<Map<string, string>> {
  return new Map((await listTopics(user, lang, { includeRetired: true })).map((t) => [t.code, t.name]));
}

/** Refuses (beside the `topic` field) a topic that is not on the province's active list. */
export async function requireTopic(user: ScopeUser, code: string, field = 'topic'): Promise<void> {
  await ensureTopics(user.province);
  const found = await ProblemTopic.exists({ province: user.province, code, active: true }).setOptions({ scope: provinceOf(user) });
  if (!found) throw validationFailed({ [field]: 'fieldProblems.unknownTopic' });
}

/**
 * The governor's office adds a topic to its province's list, and may move "other" problems it was made from into
 * it (`fromOther`: ids of problems filed under "other" in the province), all in one transaction.
 */
export async function addTopic(actor: AuthUser, input: { code: string; nameFa: string; nameEn: string; fromOther?: string[] }): Promise<ProblemTopicRecord> {
  if (actor.role !== 'governor-office') throw forbidden();
  await ensureTopics(actor.province);
  const fromOther = (input.fromOther ?? []).filter((id) => mongoose.isValidObjectId(id));
  return mongoose.connection.transaction(async (session) => {
    const moved = fromOther.length
      ? await FieldProblem.find({ _id: { $in: fromOther }, topic: OTHER_TOPIC }, { thread: 1 }, { session }).setOptions({ scope: actor }).lean<{ thread: Types.ObjectId }[]>()
      : [];
    if (moved.length !== fromOther.length) throw validationFailed({ fromOther: 'fieldProblems.notOther' });
    try {
      const created = new ProblemTopic({ code: input.code, nameFa: input.nameFa, nameEn: input.nameEn, active: true, createdBy: actor.username, fromOther, province: actor.province, placePath: [actor.province] });
      await created.save({ session });
      // a whole thread moves with its first report: "we have this too" answers the same problem
      if (moved.length) await FieldProblem.updateMany({ thread: { $in: moved.map((m) => m.thread) } }, { $set: { topic: input.code } }, { session }).setOptions({ scope: actor });
      return created.toObject() as unknown as ProblemTopicRecord;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) throw new AppError('duplicate', 'errors.validation', 409, {}, { code: 'fieldProblems.topicExists' });
      throw err;
    }
  });
}

/** The topics list is the province's, whoever reads it: the place-scoped query runs at province level. */
function provinceOf(user: ScopeUser): ScopeUser {
  return { role: 'governor-office', placeCode: user.province, province: user.province };
}
