import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import mongoose from 'mongoose';
import { OutboxMessage } from '../../models/outbox-message.model.js';
import { queueMessage } from '../../server/outbox/outbox.service.js';
import { resetDatabase } from '../support/database.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.js';

const LEASE_MS = 1500;

/** The test database's address, for a child process (the embedded server listens on loopback). */
function databaseAddress(): { uri: string; name: string } {
  const connection = mongoose.connection;
  return { uri: process.env.MONGODB_URI ?? `mongodb://${connection.host}:${connection.port}`, name: connection.name };
}

function startDeliveryProcess(smtp: TestSmtpServer): Promise<ChildProcess> {
  const { uri, name } = databaseAddress();
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/jobs/fixtures/delivery-process.ts'], {
    env: { ...process.env, DB_URI: uri, DB_NAME: name, SMTP_URL: smtp.url, LEASE_MS: String(LEASE_MS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', () => resolve(child));
  });
}

async function until(condition: () => boolean | Promise<boolean>, what: string, limitMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > limitMs) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('Outbox delivery when the process is killed mid-delivery', function () {
  this.timeout(120_000);
  let smtp: TestSmtpServer;
  const children: ChildProcess[] = [];
  beforeEach(resetDatabase);
  afterEach(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await smtp?.stop();
  });

  it('delivers every message after a SIGKILL and a restart: no message lost, none delivered under two Message-IDs', async () => {
    // each message is held 300 ms inside the server before its 250, so the kill lands while one is in flight
    smtp = await startSmtpServer({ delayMs: 300 });
    const total = 12;
    for (let i = 0; i < total; i++) {
      await queueMessage({ to: `head${i}@example.org`, subject: `سهمیه ${i}`, html: `<p>${i}</p>`, text: String(i), province: '02', kind: 'test', dedupeKey: `crash:${i}` });
    }

    const first = await startDeliveryProcess(smtp);
    children.push(first);
    await until(() => smtp.received.length >= 4, 'four messages received');
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const receivedAtKill = smtp.received.length;
    const sentAtKill = await OutboxMessage.countDocuments({ status: 'sent' });
    expect(sentAtKill).to.be.below(total);

    const second = await startDeliveryProcess(smtp);
    children.push(second);
    await until(async () => (await OutboxMessage.countDocuments({ status: 'sent' })) === total, 'every message sent');
    second.kill('SIGKILL');
    // the message in flight at the kill may still arrive at the server a moment later
    await new Promise((resolve) => setTimeout(resolve, 400));

    const messages = await OutboxMessage.find({}).lean();
    const ids = new Set(messages.map((m) => m.messageId));
    expect(ids.size).to.equal(total);
    // nothing lost: every outbox message reached the server; nothing doubled: the server saw exactly these Message-IDs
    expect(smtp.distinctIds()).to.deep.equal(ids);
    // a repeat is only possible for the one message in flight at the kill, and it carries the same Message-ID
    expect(smtp.received.length - total).to.be.at.most(1);
    expect(receivedAtKill).to.be.at.least(4);
  });
});
