/**
 * The failCommand fail point (configureFailPoint), through the official driver, as MongoDB documents it: the server
 * wiki's "The failCommand fail point", the unified test format's "Server Fail Points", and the retryable-writes and
 * transactions specifications for the labels the server adds. Runs against MONGODB_URI when set (a mongod started
 * with test commands enabled; without them the suite is skipped, naming why), else the embedded server with
 * enableTestCommands.
 */
import { expect } from 'chai';
import { MongoClient, MongoNetworkError, MongoServerError, type CommandStartedEvent, type Document } from 'mongodb';
import { startEmbeddedMongo } from '../../../../server/db/embedded/index.js';
import { openTarget, rejection, type Target } from './target.js';

const CommandNotFound = 59;

/** Skips the suite, naming the missing feature, on a server that does not accept configureFailPoint. */
async function skipWithoutFailPoints(target: Target, suite: Mocha.Context): Promise<void> {
  const refused = await rejection(target.client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' }));
  if (!refused) return;
  await target.close();
  console.log(`      skipped: the server does not accept configureFailPoint (test commands are not enabled): ${refused.message}`);
  suite.skip();
}

describe('the failCommand fail point', function () {
  let target: Target;
  let clientNumber = 0;
  const clients: MongoClient[] = [];

  before(async function () {
    target = await openTarget('failpoints', {}, { enableTestCommands: true });
    await skipWithoutFailPoints(target, this);
  });

  afterEach(async () => {
    await target.client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
    for (const c of clients.splice(0)) await c.close();
  });

  after(async () => {
    await target?.close();
  });

  /** A client of its own, named so that a fail point can be aimed at it alone (data.appName). */
  async function appClient(options: { retryWrites?: boolean } = {}): Promise<{ client: MongoClient; appName: string; started: CommandStartedEvent[] }> {
    const appName = `failpoints-${process.pid}-${++clientNumber}`;
    const client = new MongoClient(target.uri, { appName, monitorCommands: true, ...options });
    const started: CommandStartedEvent[] = [];
    client.on('commandStarted', (e) => started.push(e));
    clients.push(await client.connect());
    return { client, appName, started };
  }

  async function failCommand(mode: Document | string, data: Document): Promise<Document> {
    return target.client.db('admin').command({ configureFailPoint: 'failCommand', mode, data });
  }

  const named = (started: CommandStartedEvent[], name: string) => started.filter((e) => e.commandName === name);

  it('fails the next insert with the given code and labels when times is 1, and lets the one after through', async () => {
    const { client, appName } = await appClient({ retryWrites: false });
    const coll = client.db(target.dbName).collection('times');
    await failCommand({ times: 1 }, { failCommands: ['insert'], errorCode: 2, errorLabels: ['CustomLabel'], appName });
    const failed = await rejection(coll.insertOne({ _id: 1 } as Document));
    expect(failed).to.be.instanceOf(MongoServerError);
    expect((failed as MongoServerError).code).to.equal(2);
    expect((failed as MongoServerError).errorLabels).to.deep.equal(['CustomLabel']);
    await coll.insertOne({ _id: 2 } as Document);
    expect(await coll.find().toArray()).to.deep.equal([{ _id: 2 }]);
  });

  it('applies only to the commands it names and the application it names', async () => {
    const { client, appName } = await appClient({ retryWrites: false });
    const other = await appClient({ retryWrites: false });
    await failCommand('alwaysOn', { failCommands: ['insert'], errorCode: 2, appName });
    expect(await client.db(target.dbName).collection('named').countDocuments()).to.equal(0);
    await other.client.db(target.dbName).collection('named').insertOne({ _id: 1 } as Document);
    expect((await rejection(client.db(target.dbName).collection('named').insertOne({ _id: 2 } as Document)))?.code).to.equal(2);
  });

  it('lets the first skip commands through, then fails every one', async () => {
    const { client, appName } = await appClient();
    const coll = client.db(target.dbName).collection('skip');
    await failCommand({ skip: 1 }, { failCommands: ['find'], errorCode: 2, appName });
    expect(await coll.find().toArray()).to.deep.equal([]);
    expect((await rejection(coll.find().toArray()))?.code).to.equal(2);
    expect((await rejection(coll.find().toArray()))?.code).to.equal(2);
  });

  it('labels a retriable code on a retryable write RetryableWriteError, so the driver retries it once', async () => {
    const { client, appName, started } = await appClient();
    const coll = client.db(target.dbName).collection('retried');
    await failCommand({ times: 1 }, { failCommands: ['insert'], errorCode: 91, appName });
    await coll.insertOne({ _id: 1 } as Document);
    expect(named(started, 'insert')).to.have.length(2);
    expect(await coll.find().toArray()).to.deep.equal([{ _id: 1 }]);
  });

  it('returns the retry\'s error, labelled RetryableWriteError, when the retry fails too', async () => {
    const { client, appName, started } = await appClient();
    const coll = client.db(target.dbName).collection('retry-fails');
    await failCommand({ times: 2 }, { failCommands: ['insert'], errorCode: 91, appName });
    const failed = await rejection(coll.insertOne({ _id: 1 } as Document));
    expect((failed as MongoServerError).code).to.equal(91);
    expect((failed as MongoServerError).hasErrorLabel('RetryableWriteError')).to.equal(true);
    expect(named(started, 'insert')).to.have.length(2);
    expect(await coll.countDocuments()).to.equal(0);
  });

  it('adds no label when errorLabels is empty, so a retriable code is not retried', async () => {
    const { client, appName, started } = await appClient();
    const coll = client.db(target.dbName).collection('no-labels');
    await failCommand({ times: 1 }, { failCommands: ['insert'], errorCode: 11600, errorLabels: [], appName });
    const failed = await rejection(coll.insertOne({ _id: 1 } as Document));
    expect((failed as MongoServerError).code).to.equal(11600);
    expect((failed as MongoServerError).hasErrorLabel('RetryableWriteError')).to.equal(false);
    expect(named(started, 'insert')).to.have.length(1);
  });

  it('closes the connection instead of answering: the driver sees a network error and retries a retryable write once', async () => {
    const once = await appClient({ retryWrites: false });
    await failCommand({ times: 1 }, { failCommands: ['insert'], closeConnection: true, appName: once.appName });
    const failed = await rejection(once.client.db(target.dbName).collection('closed').insertOne({ _id: 1 } as Document));
    expect(failed).to.be.instanceOf(MongoNetworkError);

    const retrying = await appClient();
    await failCommand({ times: 1 }, { failCommands: ['insert'], closeConnection: true, appName: retrying.appName });
    await retrying.client.db(target.dbName).collection('closed').insertOne({ _id: 2 } as Document);
    expect(named(retrying.started, 'insert')).to.have.length(2);
    // the closed attempt never ran: only the retried document is there
    expect(await target.db.collection('closed').find().toArray()).to.deep.equal([{ _id: 2 }]);
  });

  it('labels a retriable code inside a transaction TransientTransactionError, not RetryableWriteError', async () => {
    const { client, appName } = await appClient();
    await target.db.createCollection('in-transaction');
    await failCommand({ times: 1 }, { failCommands: ['insert'], errorCode: 10107, appName });
    const session = client.startSession();
    try {
      session.startTransaction();
      const failed = await rejection(client.db(target.dbName).collection('in-transaction').insertOne({ _id: 1 } as Document, { session }));
      expect((failed as MongoServerError).code).to.equal(10107);
      expect((failed as MongoServerError).hasErrorLabel('TransientTransactionError')).to.equal(true);
      expect((failed as MongoServerError).hasErrorLabel('RetryableWriteError')).to.equal(false);
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
  });

  it('answers a commit with its write concern error after committing: the client sees the error, the data is there', async () => {
    const { client, appName } = await appClient();
    await target.db.createCollection('commit-wce');
    await failCommand({ times: 1 }, { failCommands: ['commitTransaction'], writeConcernError: { code: 64, errmsg: 'waiting for replication timed out' }, appName });
    const session = client.startSession();
    try {
      session.startTransaction({ writeConcern: { w: 'majority' } });
      await client.db(target.dbName).collection('commit-wce').insertOne({ _id: 1 } as Document, { session });
      const failed = await rejection(session.commitTransaction());
      expect((failed as MongoServerError).code).to.equal(64);
      expect((failed as MongoServerError).hasErrorLabel('UnknownTransactionCommitResult')).to.equal(true);
    } finally {
      await session.endSession();
    }
    expect(await target.db.collection('commit-wce').find().toArray()).to.deep.equal([{ _id: 1 }]);
  });

  it('gives a write its write concern error with ok: 1, applied, and labels a retriable one RetryableWriteError', async () => {
    const { client, appName, started } = await appClient();
    const coll = client.db(target.dbName).collection('write-wce');
    await failCommand({ times: 1 }, { failCommands: ['insert'], writeConcernError: { code: 91, errmsg: 'Replication is being shut down' }, appName });
    // the driver retries on the label; the server answers the retry from the write it already applied
    await coll.insertOne({ _id: 1 } as Document);
    expect(named(started, 'insert')).to.have.length(2);
    expect(await coll.find().toArray()).to.deep.equal([{ _id: 1 }]);
  });

  it('holds a command it blocks, then runs it', async () => {
    const { client, appName } = await appClient();
    await target.db.collection('blocked').insertOne({ _id: 1 } as Document);
    await failCommand({ times: 1 }, { failCommands: ['find'], blockConnection: true, blockTimeMS: 50, appName });
    expect(await client.db(target.dbName).collection('blocked').find().toArray()).to.deep.equal([{ _id: 1 }]);
  });

  it('never fails configureFailPoint itself, and answers how often the fail point fired', async () => {
    await failCommand('alwaysOn', { failCommands: ['configureFailPoint', 'ping'], errorCode: 2 });
    const off = await target.client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
    expect(off.ok).to.equal(1);
    expect(off.count).to.be.a('number');
  });
});

describe('waitForFailPoint', function () {
  let target: Target;

  before(async function () {
    target = await openTarget('waitforfailpoint', {}, { enableTestCommands: true });
    await skipWithoutFailPoints(target, this);
  });

  after(async () => {
    await target?.close();
  });

  it('answers once the fail point has been entered the given number of times, and MaxTimeMSExpired (50) if it is not', async () => {
    const admin = target.client.db('admin');
    const appName = `waitforfailpoint-${process.pid}`;
    const client = await new MongoClient(target.uri, { appName, retryReads: false }).connect();
    try {
      const { count } = await admin.command({ configureFailPoint: 'failCommand', mode: { times: 1 }, data: { failCommands: ['find'], errorCode: 2, appName } });
      const waited = admin.command({ waitForFailPoint: 'failCommand', timesEntered: Number(count) + 1, maxTimeMS: 60_000 });
      const failed = await rejection(client.db(target.dbName).collection('w').find().toArray());
      expect((failed as MongoServerError).code).to.equal(2);
      expect((await waited).ok).to.equal(1);
      const notEntered = await rejection(admin.command({ waitForFailPoint: 'failCommand', timesEntered: Number(count) + 2, maxTimeMS: 50 }));
      expect((notEntered as MongoServerError).code).to.equal(50);
    } finally {
      await admin.command({ configureFailPoint: 'failCommand', mode: 'off' });
      await client.close();
    }
  });
});

describe('configureFailPoint without test commands', () => {
  it('is refused by the embedded server as by a mongod started without enableTestCommands (CommandNotFound)', async () => {
    const server = await startEmbeddedMongo({ inMemory: true, host: '127.0.0.1', port: 0 });
    const client = await new MongoClient(server.uri).connect();
    try {
      const refused = await rejection(client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'alwaysOn', data: { failCommands: ['find'], errorCode: 2 } }));
      expect(refused?.code).to.equal(CommandNotFound);
      expect(await client.db('any').collection('c').find().toArray()).to.deep.equal([]);
    } finally {
      await client.close();
      await server.stop();
    }
  });
});
