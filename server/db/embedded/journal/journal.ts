/**
 * Write-ahead journal. Each record is `[u32 length][u32 crc32][BSON op documents...]` and holds
 * every change of one command (or one committed transaction), so a record is applied whole or not
 * at all. Records are fsynced before the command is acknowledged (unless `journal: 'none'`).
 *
 * Start-up loads `snapshot.bson` then replays `journal.bson`; a torn or corrupt tail (a crash during
 * the last append) is cut off. When the journal passes `compactBytes`, the full state is written to
 * a fresh snapshot (temp file + fsync + atomic rename) and the journal is truncated (the threshold
 * grows with the snapshot, so large data sets are not rewritten too often). Replaying ops
 * is idempotent, so a crash between the rename and the truncation is harmless.
 */
import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { serialize, type Document } from 'bson';
import { decodeDocument } from '../wire/protocol.js';
import { lockDataDir } from './lock.js';

const HEADER = 8;
const JOURNAL_FILE = 'journal.bson';
const SNAPSHOT_FILE = 'snapshot.bson';

export type JournalMode = 'sync' | 'none';

export interface JournalOptions {
  dir: string;
  mode: JournalMode;
  compactBytes: number;
}

export class Journal {
  private readonly opts: JournalOptions;
  private fd = -1;
  private size = 0;
  private snapshotSize = 0;
  private unlock?: () => void;

  constructor(opts: JournalOptions) {
    this.opts = opts;
  }

  get bytes(): number {
    return this.size;
  }

  /**
   * Compact once the journal outgrows both the threshold and the last snapshot, so the journal stays
   * bounded while a large data set is not rewritten for every few megabytes of changes.
   */
  get needsCompaction(): boolean {
    return this.size > Math.max(this.opts.compactBytes, this.snapshotSize);
  }

  /** Reads snapshot then journal, handing each record's ops to `apply`; then opens for appending. */
  open(apply: (ops: Document[]) => void): void {
    fs.mkdirSync(this.opts.dir, { recursive: true });
    this.unlock = lockDataDir(this.opts.dir);
    const snapshotPath = path.join(this.opts.dir, SNAPSHOT_FILE);
    if (fs.existsSync(snapshotPath)) {
      this.snapshotSize = fs.statSync(snapshotPath).size;
      readRecordFile(snapshotPath, apply);
    }
    const journalPath = path.join(this.opts.dir, JOURNAL_FILE);
    let goodLength = 0;
    if (fs.existsSync(journalPath)) goodLength = readRecordFile(journalPath, apply);
    const created = !fs.existsSync(journalPath);
    this.fd = fs.openSync(journalPath, fs.constants.O_RDWR | fs.constants.O_CREAT);
    // A new journal's directory entry must be durable too, or the first acknowledged writes could vanish.
    if (created) syncDir(this.opts.dir);
    // Cut a torn final record so new appends follow the last complete one.
    fs.ftruncateSync(this.fd, goodLength);
    this.size = goodLength;
  }

  append(ops: Document[]): void {
    if (ops.length === 0) return;
    const record = encodeRecord(ops);
    fs.writeSync(this.fd, record, 0, record.length, this.size);
    this.size += record.length;
    if (this.opts.mode === 'sync') fs.fdatasyncSync(this.fd);
  }

  /** Replaces snapshot + journal with a snapshot of `state` (a stream of op batches). */
  compact(state: Iterable<Document[]>): void {
    const tmp = path.join(this.opts.dir, SNAPSHOT_FILE + '.tmp');
    const fd = fs.openSync(tmp, 'w');
    let written = 0;
    try {
      for (const ops of state) {
        const rec = encodeRecord(ops);
        fs.writeSync(fd, rec);
        written += rec.length;
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path.join(this.opts.dir, SNAPSHOT_FILE));
    syncDir(this.opts.dir);
    fs.ftruncateSync(this.fd, 0);
    fs.fsyncSync(this.fd);
    this.size = 0;
    this.snapshotSize = written;
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    this.unlock?.();
  }
}

function encodeRecord(ops: Document[]): Buffer {
  const payload = Buffer.concat(ops.map((op) => serialize(op)));
  const head = Buffer.alloc(HEADER);
  head.writeUInt32LE(payload.length, 0);
  head.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([head, payload]);
}

/** Bytes read from a record file at a time: a whole-country snapshot is larger than one Buffer may be read whole. */
const READ_CHUNK = 64 * 1024 * 1024;

/**
 * Applies every complete, intact record of a file, reading it in chunks; returns the byte length
 * the records cover (a torn or corrupt record ends it).
 */
function readRecordFile(file: string, apply: (ops: Document[]) => void): number {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    let buf = Buffer.alloc(0);
    let bufStart = 0;
    let filePos = 0;
    for (;;) {
      const { covered, intact } = readRecords(buf, apply);
      if (!intact) return bufStart + covered;
      if (filePos >= size) return bufStart + covered;
      const rest = buf.subarray(covered);
      const pending = rest.length >= HEADER ? HEADER + rest.readUInt32LE(0) - rest.length : 0;
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(READ_CHUNK, pending), size - filePos));
      const n = fs.readSync(fd, chunk, 0, chunk.length, filePos);
      if (n <= 0) return bufStart + covered;
      filePos += n;
      bufStart += covered;
      buf = Buffer.concat([rest, chunk.subarray(0, n)]);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Applies the complete records in a buffer; `intact` is false when a corrupt record stopped it. */
function readRecords(buf: Buffer, apply: (ops: Document[]) => void): { covered: number; intact: boolean } {
  let pos = 0;
  while (pos + HEADER <= buf.length) {
    const len = buf.readUInt32LE(pos);
    const sum = buf.readUInt32LE(pos + 4);
    const end = pos + HEADER + len;
    if (end > buf.length) break;
    const payload = buf.subarray(pos + HEADER, end);
    if (crc32(payload) !== sum) return { covered: pos, intact: false };
    const ops: Document[] = [];
    let p = 0;
    while (p < payload.length) {
      const size = payload.readInt32LE(p);
      ops.push(decodeDocument(payload.subarray(p, p + size)));
      p += size;
    }
    apply(ops);
    pos = end;
  }
  return { covered: pos, intact: true };
}

function syncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}
