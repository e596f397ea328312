import { expect } from 'chai';
import { OutboxMessage, type OutboxMessageRecord } from '../../models/outbox-message.model.js';
import { remindersJob } from '../../jobs/reminders.js';
import { Scheduler } from '../../jobs/scheduler.js';
import { loadConfig } from '../../server/config.js';
import { resetDatabase } from '../support/database.js';
import { loadDemo } from '../support/demo.js';

describe('A reminder run on the demo data', function () {
  this.timeout(300_000);
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: ':memory:', LOG_LEVEL: 'silent', PUBLIC_URL: 'https://tracker.example.ir' });
  const reminderMail = async () => OutboxMessage.find({ dedupeKey: /^(reminder|digest):/ }).lean<OutboxMessageRecord[]>();

  before(async () => {
    await resetDatabase();
    await loadDemo(config);
  });

  it('sends each recipient one mail for the day, old overdue commitments summarised in one line', async () => {
    const runs = await new Scheduler(config, [remindersJob]).fire(remindersJob, new Date());
    expect(runs.map((run) => run.started)).to.include(true).and.not.include(false);
    const mail = await reminderMail();
    expect(mail.length).to.be.greaterThan(0);
    const perAddress = new Map<string, number>();
    for (const m of mail) perAddress.set(m.to, (perAddress.get(m.to) ?? 0) + 1);
    expect([...perAddress].filter(([, n]) => n > 1), 'addresses mailed more than once').to.deep.equal([]);

    // the governor's office owes nothing itself but hears of every escalation of the 1397 resolutions: one digest
    const office = mail.find((m) => m.to === 'demo.governor@mailbox.invalid')!;
    expect(office.kind).to.equal('digest');
    expect(office.text).to.match(/مورد از [۰-۹]+ مصوبه بیش از ۳۶۵ روز است که از مهلت گذشته‌اند/);
    expect(office.text).to.contain('https://tracker.example.ir/resolutions?status=overdue');
    // no subject runs two numbers together ("مصوبه ۸ ۲٬۸۱۴ روز")
    for (const m of mail) expect(m.subject, m.subject).not.to.match(/[۰-۹٬]+ [۰-۹٬]+/);
  });

  it('sends nothing more when it runs again the same day', async () => {
    const before = (await reminderMail()).length;
    await new Scheduler(config, [remindersJob]).fire(remindersJob, new Date(Date.now() + 60_000));
    expect((await reminderMail()).length).to.equal(before);
  });
});
