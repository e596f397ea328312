/**
 * MongoDB wire protocol framing: OP_MSG (body + document-sequence sections, optional CRC-32C checksum)
 * and the legacy OP_QUERY/OP_REPLY pair that drivers still use for the first handshake.
 */
import { deserialize, serialize, type Document } from 'bson';
import { keepNumberTypes } from '../bson-values.js';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;

const FLAG_CHECKSUM = 1;
const FLAG_MORE_TO_COME = 2;

/** Numbers arrive unpromoted (Int32, Double, Long) so their BSON type is known; see keepNumberTypes. */
const DESERIALIZE_OPTIONS = { promoteLongs: false, promoteValues: false, promoteBuffers: false, bsonRegExp: false } as const;

/**
 * Command fields holding documents, filters, updates or pipelines: their numbers keep their BSON
 * type (an integral double stays a double, an int64 an int64). Every other argument (`limit`,
 * `batchSize`, `txnNumber`, cursor ids, write concerns...) is promoted to plain numbers.
 */
const PAYLOAD_FIELDS = new Set(['documents', 'updates', 'deletes', 'filter', 'query', 'update', 'pipeline', 'let', 'explain']);

export interface Request {
  requestId: number;
  opCode: number;
  /** The command document, document sequences folded in under their identifiers. */
  command: Document;
  /** The client sent moreToCome (unacknowledged write): no reply is expected. */
  moreToCome: boolean;
  /** OP_QUERY carries its database in the collection name. */
  legacyDb?: string;
  /** The message's length in bytes: no document in it is larger. */
  bytes: number;
}

/** A stored document or journal record: every number keeps its BSON type. */
export function decodeDocument(buf: Buffer): Document {
  return keepNumberTypes(deserialize(buf, DESERIALIZE_OPTIONS), true) as Document;
}

/** A command body: numbers keep their type inside PAYLOAD_FIELDS only. */
function decodeCommand(buf: Buffer): Document {
  const command = deserialize(buf, DESERIALIZE_OPTIONS);
  for (const k of Object.keys(command)) command[k] = keepNumberTypes(command[k], PAYLOAD_FIELDS.has(k));
  return command;
}

/** Parses one complete message (header included). */
export function parseMessage(msg: Buffer): Request {
  const requestId = msg.readInt32LE(4);
  const opCode = msg.readInt32LE(12);
  if (opCode === OP_MSG) return parseOpMsg(msg, requestId);
  if (opCode === OP_QUERY) return parseOpQuery(msg, requestId);
  throw new Error(`unsupported opCode ${opCode}`);
}

function parseOpMsg(msg: Buffer, requestId: number): Request {
  const flags = msg.readUInt32LE(16);
  const end = flags & FLAG_CHECKSUM ? msg.length - 4 : msg.length;
  let pos = 20;
  let command: Document | undefined;
  const sequences: Array<[string, Document[]]> = [];
  while (pos < end) {
    const kind = msg[pos++];
    if (kind === 0) {
      const size = msg.readInt32LE(pos);
      command = decodeCommand(msg.subarray(pos, pos + size));
      pos += size;
    } else if (kind === 1) {
      const size = msg.readInt32LE(pos);
      const sectionEnd = pos + size;
      let p = pos + 4;
      const nul = msg.indexOf(0, p);
      const identifier = msg.toString('utf8', p, nul);
      p = nul + 1;
      const docs: Document[] = [];
      while (p < sectionEnd) {
        const docSize = msg.readInt32LE(p);
        docs.push(decodeDocument(msg.subarray(p, p + docSize)));
        p += docSize;
      }
      sequences.push([identifier, docs]);
      pos = sectionEnd;
    } else {
      throw new Error(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!command) throw new Error('OP_MSG without a body section');
  for (const [identifier, docs] of sequences) command[identifier] = docs;
  return { requestId, opCode: OP_MSG, command, moreToCome: (flags & FLAG_MORE_TO_COME) !== 0, bytes: msg.length };
}

function parseOpQuery(msg: Buffer, requestId: number): Request {
  let pos = 20; // header + flags
  const nul = msg.indexOf(0, pos);
  const fullCollectionName = msg.toString('utf8', pos, nul);
  pos = nul + 1 + 8; // numberToSkip, numberToReturn
  const size = msg.readInt32LE(pos);
  let command = decodeCommand(msg.subarray(pos, pos + size));
  // Legacy clients may wrap the command as { $query: {...}, $readPreference: ... }.
  if (command.$query && typeof command.$query === 'object') command = command.$query;
  const legacyDb = fullCollectionName.split('.')[0];
  return { requestId, opCode: OP_QUERY, command, moreToCome: false, legacyDb, bytes: msg.length };
}

let nextResponseId = 1;

function header(length: number, responseTo: number, opCode: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(nextResponseId++ & 0x7fffffff, 4);
  h.writeInt32LE(responseTo, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

export function encodeOpMsg(responseTo: number, reply: Document): Buffer {
  const body = serialize(reply);
  const prefix = Buffer.alloc(5); // flagBits (0) + section kind 0
  return Buffer.concat([header(16 + 5 + body.length, responseTo, OP_MSG), prefix, body]);
}

export function encodeOpReply(responseTo: number, reply: Document): Buffer {
  const body = serialize(reply);
  const fields = Buffer.alloc(20); // responseFlags, cursorID (8), startingFrom, numberReturned
  fields.writeInt32LE(1, 16);
  return Buffer.concat([header(16 + 20 + body.length, responseTo, OP_REPLY), fields, body]);
}

/**
 * Splits a byte stream into complete messages, keeping any partial tail. Chunks are only joined
 * once a whole message has arrived, so a large message costs one copy, not one per chunk.
 */
export class MessageReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Buffer[] = [];
    while (this.buffered >= 4) {
      if (this.chunks[0].length < 4) this.chunks = [Buffer.concat(this.chunks)];
      const length = this.chunks[0].readInt32LE(0);
      if (length < 16) throw new Error(`invalid message length ${length}`);
      if (this.buffered < length) break;
      const data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
      out.push(data.subarray(0, length));
      const rest = data.subarray(length);
      this.chunks = rest.length ? [rest] : [];
      this.buffered = rest.length;
    }
    return out;
  }
}
