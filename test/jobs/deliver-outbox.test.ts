import { expect } from 'chai';
import { OutboxMessage, type OutboxMessageRecord } from '../../models/outbox-message.model.js';
import { loadConfig } from '../../server/config.js';
import { queueMessage } from '../../server/outbox/outbox.service.js';
import { deliverDue, messageIdFor, retryDelayMs, smtpTransport } from '../../jobs/deliver-outbox.js';
import { resetDatabase } from '../support/database.js';
import { closedPort, startSmtpServer, type TestSmtpServer } from '../support/smtp.js';

const configFor = (smtpUrl?: string) => loadConfig({ NODE_ENV: 'test', MAIL_FROM: 'tracker@rural.example', ...(smtpUrl ? { SMTP_URL: smtpUrl } : {}), OUTBOX_MAX_ATTEMPTS: '4' });

async function queue(n: number, prefix = 'm', province = '02'): Promise<void> {
  for (let i = 0; i < n; i++) {
    await queueMessage({ to: `person${i}@example.org`, subject: `یادآوری ${i}`, html: `<p>سلام ${i}</p>`, text: `سلام ${i}`, province, kind: 'test', dedupeKey: `${prefix}:${i}` });
  }
}

const all = () => OutboxMessage.find({}).sort({ dedupeKey: 1 }).lean<OutboxMessageRecord[]>();

describe('Outbox delivery over SMTP', () => {
  let smtp: TestSmtpServer | undefined;
  beforeEach(resetDatabase);
  afterEach(async () => {
    await smtp?.stop();
    smtp = undefined;
  });

  it('queues a message once per dedupe key, however often it is asked', async () => {
    expect(await queueMessage({ to: 'a@example.org', subject: 's', html: 'h', text: 't', province: '02', kind: 'test', dedupeKey: 'same' })).to.equal(true);
    expect(await queueMessage({ to: 'a@example.org', subject: 's', html: 'h', text: 't', province: '02', kind: 'test', dedupeKey: 'same' })).to.equal(false);
    expect(await OutboxMessage.countDocuments({})).to.equal(1);
  });

  it('delivers every pending message once, in Persian, with a Message-ID derived from its outbox id', async () => {
    smtp = await startSmtpServer();
    await queue(3);
    const config = configFor(smtp.url);
    const report = await deliverDue({ config });
    expect(report).to.deep.equal({ sent: 3, retried: 0, failed: 0 });
    expect(smtp.received).to.have.length(3);
    const messages = await all();
    for (const message of messages) {
      expect(message.status).to.equal('sent');
      expect(message.deliveredTo).to.equal('smtp');
      expect(message.messageId).to.equal(messageIdFor(message._id, config.mailFrom));
    }
    expect(smtp.distinctIds()).to.deep.equal(new Set(messages.map((m) => m.messageId)));
    expect(smtp.received[0]!.raw).to.match(/Content-Type: text\/plain; charset=utf-8/i);
    expect(await deliverDue({ config })).to.deep.equal({ sent: 0, retried: 0, failed: 0 });
    expect(smtp.received).to.have.length(3);
  });

  it('keeps mail through an SMTP outage and delivers each message once when the server is back', async () => {
    const port = await closedPort();
    const config = configFor(`smtp://127.0.0.1:${port}`);
    await queue(5);
    const t0 = new Date('2026-01-01T08:00:00Z');
    const down = await deliverDue({ config, now: () => t0 });
    expect(down).to.deep.equal({ sent: 0, retried: 5, failed: 0 });
    const waiting = await all();
    expect(waiting.every((m) => m.status === 'pending' && m.attempts === 1 && m.lastError)).to.equal(true);
    expect(waiting.every((m) => m.nextAttemptAt.getTime() === t0.getTime() + retryDelayMs(1))).to.equal(true);

    // before the back-off has passed nothing is tried again
    expect(await deliverDue({ config, now: () => new Date(t0.getTime() + 10_000) })).to.deep.equal({ sent: 0, retried: 0, failed: 0 });

    smtp = await startSmtpServer({ port });
    const back = await deliverDue({ config, now: () => new Date(t0.getTime() + retryDelayMs(1)) });
    expect(back).to.deep.equal({ sent: 5, retried: 0, failed: 0 });
    expect(smtp.received).to.have.length(5);
    expect(smtp.distinctIds().size).to.equal(5);
    expect((await all()).map((m) => m.status)).to.deep.equal(['sent', 'sent', 'sent', 'sent', 'sent']);
  });

  it('backs off exponentially, up to an hour', () => {
    expect([1, 2, 3, 4, 8, 20].map(retryDelayMs)).to.deep.equal([30_000, 60_000, 120_000, 240_000, 3_600_000, 3_600_000]);
  });

  it('marks a message failed after OUTBOX_MAX_ATTEMPTS attempts, and at once when the server refuses the mailbox', async () => {
    smtp = await startSmtpServer({ reject: (to) => to.startsWith('person0@') });
    await queue(1);
    const config = configFor(smtp.url);
    expect(await deliverDue({ config })).to.deep.equal({ sent: 0, retried: 0, failed: 1 });
    const [refused] = await all();
    expect(refused!.status).to.equal('failed');
    expect(refused!.lastError).to.match(/550/);

    const port = await closedPort();
    await queue(1, 'down');
    const downConfig = configFor(`smtp://127.0.0.1:${port}`);
    let clock = new Date('2026-01-01T08:00:00Z');
    for (let attempt = 1; attempt <= 4; attempt++) {
      await deliverDue({ config: downConfig, now: () => clock });
      clock = new Date(clock.getTime() + retryDelayMs(attempt));
    }
    const gaveUp = await OutboxMessage.findOne({ dedupeKey: 'down:0' }).lean<OutboxMessageRecord>();
    expect(gaveUp!.status).to.equal('failed');
    expect(gaveUp!.attempts).to.equal(4);
  });

  it('keeps mail for the development mailbox when no SMTP server is configured', async () => {
    await queue(2);
    const config = configFor();
    expect(smtpTransport(config)).to.equal(null);
    expect(await deliverDue({ config })).to.deep.equal({ sent: 2, retried: 0, failed: 0 });
    expect((await all()).map((m) => m.deliveredTo)).to.deep.equal(['mailbox', 'mailbox']);
  });

  it('takes over a message whose sender died while sending (lease passed), with the same Message-ID', async () => {
    smtp = await startSmtpServer();
    await queue(1);
    const config = configFor(smtp.url);
    const t0 = new Date('2026-01-01T08:00:00Z');
    // a process claimed it and died before recording anything
    await OutboxMessage.updateOne({}, { $set: { status: 'sending', leaseUntil: new Date(t0.getTime() + 60_000) }, $inc: { attempts: 1 } });
    expect(await deliverDue({ config, now: () => t0 })).to.deep.equal({ sent: 0, retried: 0, failed: 0 });
    expect(await deliverDue({ config, now: () => new Date(t0.getTime() + 61_000) })).to.deep.equal({ sent: 1, retried: 0, failed: 0 });
    const [message] = await all();
    expect(smtp.received.map((m) => m.messageId)).to.deep.equal([message!.messageId]);
  });

  it('delivers each message once when two instances deliver the same queue at the same moment', async () => {
    smtp = await startSmtpServer();
    await queue(130, 'a', '02');
    await queue(70, 'b', '05');
    const config = configFor(smtp.url);
    const [one, two] = await Promise.all([deliverDue({ config }), deliverDue({ config })]);
    expect(one.sent + two.sent).to.equal(200);
    expect(one.retried + two.retried + one.failed + two.failed).to.equal(0);
    expect(smtp.received).to.have.length(200);
    const messages = await all();
    expect(smtp.distinctIds()).to.deep.equal(new Set(messages.map((m) => m.messageId)));
    expect(messages.every((m) => m.status === 'sent' && m.attempts === 1)).to.equal(true);
  });

  it('sends no more than the limit in a pass, the messages due longest first, and the rest in the next', async () => {
    smtp = await startSmtpServer();
    await queue(120);
    const t0 = new Date('2026-01-01T08:00:00Z');
    // due one second apart, in the reverse of their queueing order
    for (let i = 0; i < 120; i++) await OutboxMessage.updateOne({ province: '02', dedupeKey: `m:${i}` }, { $set: { nextAttemptAt: new Date(t0.getTime() - i * 1000) } });
    const config = configFor(smtp.url);
    expect(await deliverDue({ config, limit: 70, now: () => t0 })).to.deep.equal({ sent: 70, retried: 0, failed: 0 });
    const sent = await OutboxMessage.find({ province: '02', status: 'sent' }).lean<OutboxMessageRecord[]>();
    expect(sent.map((m) => Number(m.dedupeKey.slice(2))).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 70 }, (_, i) => 50 + i));
    expect(await deliverDue({ config, now: () => t0 })).to.deep.equal({ sent: 50, retried: 0, failed: 0 });
    expect(smtp.distinctIds().size).to.equal(120);
    expect(smtp.received).to.have.length(120);
  });
});
