import { createHash } from 'node:crypto';
import type { AnyBulkWriteOperation } from 'mongoose';
import type { ReminderKind } from '../../models/notification-preference.model.js';
import { Reminder, type ReminderRecord } from '../../models/reminder.model.js';
import { queueMessages, type NewMessage } from '../outbox/outbox.service.js';
import type { Recipient, RecipientDirectory } from './recipients.js';
import { digestMail, isLongOverdue, singleMail } from './reminder-mail.js';

/** A reminder the rules found owing, before it is addressed. */
export interface OwedReminder {
  kind: ReminderKind;
  /** The item and period it is about, without the address, e.g. `commitment-overdue:<id>:once:w2`. */
  about: string;
  /** Path of the item in the application. */
  link: string;
  /** Language-neutral: strings, numbers, Dates, or `{ fa, en }` pairs. */
  params: Record<string, unknown>;
  place: { province: string; placePath: readonly string[] };
}

const BATCH = 1000;

/**
 * Where the reminders job writes down what it owes, per address (models/reminder.model.ts), and later turns that
 * into mail. Recording is an upsert on the reminder's unique key, so finding the same reminder again (the next
 * day, or a resumed run) is a no-op. Counts go to the job run: `recorded`, `alreadyRecorded`, `optedOut`, `noAddress`.
 */
export class ReminderBook {
  private batch: AnyBulkWriteOperation[] = [];

  /**
   * `province`: the run is one province's (the reminders job runs per province): the rules read only its records
   * (each names `book.province` in its queries), and a reminder of another province is not its to record.
   */
  constructor(
    readonly directory: RecipientDirectory,
    private readonly day: string,
    private readonly count: (name: string, by?: number) => void,
    readonly province?: string,
  ) {}

  async owe(reminder: OwedReminder, recipients: readonly (Recipient | null)[]): Promise<void> {
    if (this.province !== undefined && reminder.place.province !== this.province) return;
    const seen = new Set<string>();
    for (const recipient of recipients) {
      if (!recipient) {
        this.count('noAddress');
        continue;
      }
      if (seen.has(recipient.address)) continue;
      seen.add(recipient.address);
      if (!this.directory.wants(recipient, reminder.kind, reminder.place.province)) {
        this.count('optedOut');
        continue;
      }
      const key = `${reminder.about}:${recipient.address}`;
      this.batch.push({
        updateOne: {
          filter: { province: reminder.place.province, key },
          update: {
            $setOnInsert: {
              key,
              kind: reminder.kind,
              address: recipient.address,
              ...(recipient.user ? { user: recipient.user } : {}),
              lang: recipient.lang,
              mode: recipient.mode,
              day: this.day,
              link: reminder.link,
              params: reminder.params,
              province: reminder.place.province,
              placePath: [...reminder.place.placePath],
              createdAt: new Date(),
            },
          },
          upsert: true,
        },
      });
    }
    if (this.batch.length >= BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const operations = this.batch;
    this.batch = [];
    const result = await Reminder.bulkWrite(operations, { ordered: false });
    this.count('recorded', result.upsertedCount);
    this.count('alreadyRecorded', result.matchedCount);
  }
}

/**
 * Turns every recorded reminder of `province` without mail into outbox messages: one per reminder for people who chose single
 * messages, one digest per address per day for those who chose the digest. Each message's dedupe key is the
 * reminder's key (or `digest:<address>:<day>:<its reminders>`), and the reminders are marked with it afterwards, so a
 * run cut short here queues nothing twice when resumed. Written in batches (one round trip for the messages, one for
 * the marks). Counts `queued` (new messages) and `digests` (digests composed).
 */
export async function queueReminderMail(options: { province: string; day: string; publicUrl: string; count: (name: string, by?: number) => void }): Promise<void> {
  const base = options.publicUrl.replace(/\/$/, '');
  let mail: { message: NewMessage; reminders: ReminderRecord['_id'][] }[] = [];
  const flush = async () => {
    if (mail.length === 0) return;
    options.count('queued', await queueMessages(mail.map((m) => m.message)));
    await Reminder.bulkWrite(mail.map((m) => ({ updateMany: { filter: { province: options.province, _id: { $in: m.reminders } }, update: { $set: { outboxKey: m.message.dedupeKey } } } })), { ordered: false });
    mail = [];
  };
  const compose = (group: ReminderRecord[]) => {
    const first = group[0]!;
    const addressed = { to: first.address, province: options.province, ...(first.user ? { recipient: first.user } : {}) };
    // items overdue for more than a year are summarised in the digest, never mailed one by one; a "digest" of a
    // single fresh reminder is just that reminder's mail
    const fresh = group.filter((r) => !isLongOverdue(r));
    const alone = fresh.length === 1 && fresh.length === group.length;
    for (const reminder of group.filter((r) => (r.mode === 'single' || alone) && !isLongOverdue(r))) {
      mail.push({ message: { ...addressed, kind: reminder.kind, dedupeKey: `reminder:${reminder.key}`, ...singleMail(reminder, base) }, reminders: [reminder._id] });
    }
    const digest = alone ? [] : group.filter((r) => r.mode === 'digest' || isLongOverdue(r));
    if (digest.length) {
      // the reminders it carries are part of the key: a later run the same day mails only what is new, and a
      // resumed run that already queued this very digest finds it
      const contents = createHash('sha1').update(digest.map((r) => String(r._id)).sort().join(',')).digest('hex').slice(0, 16);
      mail.push({ message: { ...addressed, kind: 'digest', dedupeKey: `digest:${first.address}:${options.day}:${contents}`, ...digestMail(digest, base) }, reminders: digest.map((r) => r._id) });
      options.count('digests');
    }
  };

  let group: ReminderRecord[] = [];
  const cursor = Reminder.find({ province: options.province, outboxKey: { $exists: false } }).setOptions({ scope: 'system' }).sort({ address: 1, createdAt: 1, _id: 1 }).lean<ReminderRecord[]>().cursor();
  for await (const reminder of cursor as AsyncIterable<ReminderRecord>) {
    if (group.length && group[0]!.address !== reminder.address) {
      compose(group);
      group = [];
      if (mail.length >= BATCH) await flush();
    }
    group.push(reminder);
  }
  if (group.length) compose(group);
  await flush();
}
