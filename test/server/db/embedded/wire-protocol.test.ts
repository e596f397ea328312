import { expect } from 'chai';
import net from 'node:net';
import { crc32c } from './crc32c.js';
import { deserialize, serialize, type Document } from 'bson';
import type { EmbeddedMongo } from '../../../../server/db/embedded/index.js';
import { startServer } from './helpers.js';

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;

function header(length: number, requestId: number, opCode: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(requestId, 4);
  h.writeInt32LE(0, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

function opQuery(requestId: number, ns: string, query: Document): Buffer {
  const flags = Buffer.alloc(4);
  const name = Buffer.from(ns + '\0');
  const skipReturn = Buffer.alloc(8);
  skipReturn.writeInt32LE(-1, 4);
  const body = serialize(query);
  const len = 16 + 4 + name.length + 8 + body.length;
  return Buffer.concat([header(len, requestId, OP_QUERY), flags, name, skipReturn, body]);
}

/** An OP_MSG with a body section, optional document sequences, and optionally a CRC-32C checksum. */
function opMsg(requestId: number, body: Document, sequences: Record<string, Document[]> = {}, checksum = false): Buffer {
  const parts: Uint8Array[] = [Buffer.from([0]), serialize(body)];
  for (const [id, docs] of Object.entries(sequences)) {
    const payload = Buffer.concat([Buffer.from(id + '\0'), ...docs.map((d) => serialize(d))]);
    const size = Buffer.alloc(4);
    size.writeInt32LE(4 + payload.length, 0);
    parts.push(Buffer.from([1]), size, payload);
  }
  const flags = Buffer.alloc(4);
  flags.writeUInt32LE(checksum ? 1 : 0, 0);
  const sections = Buffer.concat(parts);
  const len = 16 + 4 + sections.length + (checksum ? 4 : 0);
  const msg = Buffer.concat([header(len, requestId, OP_MSG), flags, sections]);
  if (!checksum) return msg;
  const sum = Buffer.alloc(4);
  sum.writeUInt32LE(crc32c(msg), 0);
  return Buffer.concat([msg, sum]);
}

/** Sends one message on a fresh socket and returns the opCode, responseTo and first document of the reply. */
function roundTrip(port: number, msg: Buffer): Promise<{ opCode: number; responseTo: number; doc: Document }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(msg));
    let data = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (data.length < 4 || data.length < data.readInt32LE(0)) return;
      const opCode = data.readInt32LE(12);
      const responseTo = data.readInt32LE(8);
      const docStart = opCode === OP_REPLY ? 16 + 20 : 16 + 5;
      socket.end();
      resolve({ opCode, responseTo, doc: deserialize(data.subarray(docStart)) });
    });
    socket.on('error', reject);
  });
}

describe('wire protocol of the embedded server', () => {
  let server: EmbeddedMongo;

  before(async () => {
    server = await startServer();
  });

  after(async () => {
    await server.stop();
  });

  it('answers a legacy OP_QUERY isMaster handshake with OP_REPLY', async () => {
    const reply = await roundTrip(server.port, opQuery(7, 'admin.$cmd', { isMaster: 1 }));
    expect(reply.opCode).to.equal(OP_REPLY);
    expect(reply.responseTo).to.equal(7);
    expect(reply.doc.ismaster).to.equal(true);
    expect(reply.doc.setName).to.equal('rs0');
    expect(reply.doc.maxWireVersion).to.equal(21);
  });

  it('reads OP_MSG document-sequence sections as the command array', async () => {
    const docs = [{ _id: 1 }, { _id: 2 }, { _id: 3 }];
    const reply = await roundTrip(server.port, opMsg(8, { insert: 'seq', $db: 'wire' }, { documents: docs }));
    expect(reply.opCode).to.equal(OP_MSG);
    expect(reply.responseTo).to.equal(8);
    expect(reply.doc).to.include({ n: 3, ok: 1 });
  });

  it('accepts OP_MSG with the checksum flag set', async () => {
    const reply = await roundTrip(server.port, opMsg(9, { count: 'seq', $db: 'wire' }, {}, true));
    expect(reply.doc).to.include({ n: 3, ok: 1 });
  });
});
