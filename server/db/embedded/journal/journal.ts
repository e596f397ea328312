/**
 * Write-ahead journal. Each record is `[u32 length][u32 crc32][BSON op documents...]` and holds
 * every change of one command (or one committed transaction), so a record is applied whole or not
 * at all. Records are fsynced before the command is acknowledged (unless `journal: 'none'`): each is
 * written at once, in order, and the commands wait for an fdatasync that covers it, run once the event
 * loop has taken every command that arrived with it (setImmediate), so the commands of all connections
 * that came in together share one sync (group commit) instead of paying one each. The sync stays on this
 * thread: handing it to libuv's pool cost a 1-client insert three times its latency on a loaded machine.
 *
 * The journal is a run of numbered segments (`journal.bson` is segment 0, then `journal.000001.bson`,
 * ...); appends go to the last. When it passes `compactBytes` (and the last snapshot's size, so a
 * large data set is not rewritten for every few megabytes of changes), compaction rotates: new
 * writes go to a fresh segment at once, and the data set is written to `snapshot.bson.tmp` in small
 * slices between other commands, so neither the event loop stalls nor the memory doubles. The
 * finished snapshot (fsynced, atomically renamed) names the first segment it does not cover, and only
 * then are the older segments deleted. Start-up loads the snapshot and replays the segments from that
 * one on; a torn or corrupt tail of the last segment (a crash during an append) is cut off.
 *
 * The slices see the data set at different moments, all after the rotation. That is enough: ops are
 * whole documents (`put`) and deletions by id, so replaying every op since the rotation over such a
 * view leaves each document as its last op made it, and one no op touched since as the view saw it.
 * A crash at any point leaves either the old snapshot with all segments since it, or the new one with
 * all segments since the rotation: nothing acknowledged is lost.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { crc32 } from 'node:zlib';
import { serialize, serializeWithBufferAndIndex, type Document } from 'bson';
import { decodeDocument } from '../wire/protocol.js';
import { lockDataDir } from './lock.js';

const HEADER = 8;
const SNAPSHOT_FILE = 'snapshot.bson';
const SNAPSHOT_TMP = SNAPSHOT_FILE + '.tmp';
/** The snapshot's first record: which segment replay starts from. */
const SNAPSHOT_MARK = 'snapshot';
/** Bytes of snapshot records gathered before one (asynchronous) write. */
const WRITE_BYTES = 4 * 1024 * 1024;
/**
 * How long the snapshot writer works, encoding included, before it gives the event loop a turn. Short, because
 * each command that arrives meanwhile waits for the slice to end; a turn with nothing to do costs microseconds.
 */
const SNAPSHOT_SLICE_MS = 0.5;
/** Ops encoded between clock reads (one op is a few microseconds; reading the clock is not free). */
const OPS_PER_CHECK = 8;
/** Room for any one op: BSON's serializer never produces more than its internal buffer (17 MiB) holds. */
const OP_ROOM = 17 * 1024 * 1024;

const segmentFile = (n: number): string => (n === 0 ? 'journal.bson' : `journal.${String(n).padStart(6, '0')}.bson`);
const SEGMENT_PATTERN = /^journal(?:\.(\d{6,}))?\.bson$/;

export type JournalMode = 'sync' | 'none';

export interface JournalOptions {
  dir: string;
  mode: JournalMode;
  compactBytes: number;
}

export class Journal {
  private readonly opts: JournalOptions;
  private fd = -1;
  /** The segment appends go to, and its length. */
  private segment = 0;
  private size = 0;
  private snapshotSize = 0;
  private compaction?: Promise<void>;
  private closed = false;
  private unlock?: () => void;
  /** Commands whose records are written but not yet covered by an fdatasync, waiting for the next one. */
  private waiting: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  private syncScheduled = false;

  constructor(opts: JournalOptions) {
    this.opts = opts;
  }

  /**
   * Compact once the current segment outgrows both the threshold and the last snapshot, so the
   * journal stays bounded while a large data set is not rewritten for every few megabytes of changes.
   */
  get needsCompaction(): boolean {
    return !this.compaction && this.size > Math.max(this.opts.compactBytes, this.snapshotSize);
  }

  /** The compaction in progress, if any (settles when its snapshot is in place or abandoned). */
  get compacting(): Promise<void> | undefined {
    return this.compaction;
  }

  /** Reads snapshot then segments, handing each record's ops to `apply`; then opens for appending. */
  open(apply: (ops: Document[]) => void): void {
    const dir = this.opts.dir;
    fs.mkdirSync(dir, { recursive: true });
    this.unlock = lockDataDir(dir);
    // A compaction cut short by a crash: its segments are all still there.
    fs.rmSync(path.join(dir, SNAPSHOT_TMP), { force: true });
    let from = 0;
    const snapshotPath = path.join(dir, SNAPSHOT_FILE);
    if (fs.existsSync(snapshotPath)) {
      this.snapshotSize = fs.statSync(snapshotPath).size;
      let first = true;
      readRecordFile(snapshotPath, (ops) => {
        const mark = first && ops.length === 1 && ops[0].op === SNAPSHOT_MARK;
        first = false;
        if (mark) from = Number(ops[0].from);
        else apply(ops);
      });
    }
    const segments = listSegments(dir);
    // Segments the snapshot covers (left by a crash between its rename and their deletion).
    for (const n of segments) if (n < from) fs.rmSync(path.join(dir, segmentFile(n)), { force: true });
    const live = segments.filter((n) => n >= from);
    this.segment = live.length ? live[live.length - 1] : from;
    for (const n of live) {
      if (n === this.segment) continue;
      const file = path.join(dir, segmentFile(n));
      const covered = readRecordFile(file, apply);
      // Only the last segment can end in a torn append: an earlier one was complete when the next began.
      if (covered !== fs.statSync(file).size) throw new Error(`journal segment ${file} is damaged at byte ${covered}`);
    }
    const current = path.join(dir, segmentFile(this.segment));
    const goodLength = fs.existsSync(current) ? readRecordFile(current, apply) : 0;
    const created = !fs.existsSync(current);
    this.fd = fs.openSync(current, fs.constants.O_RDWR | fs.constants.O_CREAT);
    // A new segment's directory entry must be durable too, or the first acknowledged writes could vanish.
    if (created) syncDir(dir);
    // Cut a torn final record so new appends follow the last complete one.
    fs.ftruncateSync(this.fd, goodLength);
    this.size = goodLength;
  }

  /**
   * Writes one record; in `sync` mode the promise settles once an fdatasync covering it has finished (the
   * command is acknowledged only then). Records are written in the order their changes were applied, so a
   * sync covering a record covers every change it could depend on.
   */
  append(ops: Document[]): Promise<void> | undefined {
    if (ops.length === 0) return undefined;
    const record = encodeRecord(ops);
    fs.writeSync(this.fd, record, 0, record.length, this.size);
    this.size += record.length;
    if (this.opts.mode !== 'sync') return undefined;
    const durable = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.startSync();
    return durable;
  }

  /** After the commands that arrived together have run: one fdatasync for every record they wrote. */
  private startSync(): void {
    if (this.syncScheduled) return;
    this.syncScheduled = true;
    setImmediate(() => {
      this.syncScheduled = false;
      if (this.fd < 0 || this.waiting.length === 0) return;
      const batch = this.waiting;
      this.waiting = [];
      try {
        fs.fdatasyncSync(this.fd);
      } catch (err) {
        for (const w of batch) w.reject(err as Error);
        return;
      }
      for (const w of batch) w.resolve();
    });
  }

  /** Leaving the current segment (rotation, close): syncs what still waits on it now, and closes it. */
  private leaveSegment(): void {
    if (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      fs.fdatasyncSync(this.fd);
      for (const w of batch) w.resolve();
    }
    fs.closeSync(this.fd);
  }

  /**
   * Rotates to a new segment and writes a snapshot of `state` (op batches read from the live data
   * set as the walk reaches them) in slices, between other commands. Call between commands.
   */
  compact(state: Iterable<Document[]>): void {
    if (this.compaction) return;
    const from = this.rotate();
    this.compaction = this.writeSnapshot(from, state)
      .catch((err: Error) => {
        // The old snapshot and every segment since it are intact; a later compaction tries again.
        process.stderr.write(`journal compaction failed: ${err.message}\n`);
      })
      .finally(() => {
        this.compaction = undefined;
      });
  }

  /** New appends go to the next segment from now on; returns its number. */
  private rotate(): number {
    const next = this.segment + 1;
    const fd = fs.openSync(path.join(this.opts.dir, segmentFile(next)), fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC);
    syncDir(this.opts.dir);
    this.leaveSegment();
    this.fd = fd;
    this.segment = next;
    this.size = 0;
    return next;
  }

  private async writeSnapshot(from: number, state: Iterable<Document[]>): Promise<void> {
    const dir = this.opts.dir;
    const tmp = path.join(dir, SNAPSHOT_TMP);
    const file = await fs.promises.open(tmp, 'w');
    const out = new SnapshotFile(file);
    try {
      out.record([{ op: SNAPSHOT_MARK, from }]);
      let sliceEnd = performance.now() + SNAPSHOT_SLICE_MS;
      let sinceCheck = 0;
      for (const ops of state) {
        out.beginRecord();
        for (const op of ops) {
          out.add(op);
          if (++sinceCheck < OPS_PER_CHECK) continue;
          sinceCheck = 0;
          if (performance.now() < sliceEnd) continue;
          // A turn for the commands waiting (their sockets are read in the poll phase before this immediate
          // runs). Pausing inside a batch is safe: its documents were all read after the rotation.
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (this.closed) return;
          sliceEnd = performance.now() + SNAPSHOT_SLICE_MS;
        }
        out.endRecord();
        await out.writeWhenFull();
        if (this.closed) return;
      }
      await out.finish();
      await file.sync();
    } finally {
      await out.settled();
      await file.close();
    }
    if (this.closed) return;
    fs.renameSync(tmp, path.join(dir, SNAPSHOT_FILE));
    syncDir(dir);
    for (const n of listSegments(dir)) if (n < from) fs.rmSync(path.join(dir, segmentFile(n)), { force: true });
    this.snapshotSize = out.written;
  }

  /** Stops appending; a compaction in progress is abandoned (its segments stay, so nothing is lost). */
  close(): void {
    this.closed = true;
    if (this.fd >= 0) this.leaveSegment();
    this.fd = -1;
    this.unlock?.();
  }
}

/**
 * The snapshot being written: records are encoded straight into a 4 MiB buffer (no buffer per document, so the
 * collector has little to do), and a full buffer is written out asynchronously while the other one fills.
 * Writes go out in order, whole records only.
 */
class SnapshotFile {
  private buf = Buffer.allocUnsafe(2 * WRITE_BYTES);
  /** The buffer of the write in flight (or the last one): refilled only once that write has finished. */
  private spare = Buffer.allocUnsafe(2 * WRITE_BYTES);
  private used = 0;
  private recordStart = 0;
  private writing: Promise<void> = Promise.resolve();
  /** Bytes handed to the file so far. */
  written = 0;

  constructor(private readonly file: fs.promises.FileHandle) {}

  record(ops: Document[]): void {
    this.beginRecord();
    for (const op of ops) this.add(op);
    this.endRecord();
  }

  beginRecord(): void {
    this.reserve(HEADER);
    this.recordStart = this.used;
    this.used += HEADER;
  }

  add(op: Document): void {
    try {
      this.used = serializeWithBufferAndIndex(op, this.buf, { index: this.used }) + 1;
    } catch (err) {
      // It did not fit (nothing was copied): retry once with room for any op.
      if (!(err instanceof RangeError) || this.buf.length - this.used >= OP_ROOM) throw err;
      this.reserve(OP_ROOM);
      this.used = serializeWithBufferAndIndex(op, this.buf, { index: this.used }) + 1;
    }
  }

  endRecord(): void {
    const payload = this.buf.subarray(this.recordStart + HEADER, this.used);
    this.buf.writeUInt32LE(payload.length, this.recordStart);
    this.buf.writeUInt32LE(crc32(payload), this.recordStart + 4);
  }

  /** Between records: once a buffer's worth is in hand, waits for the previous write and starts this one. */
  async writeWhenFull(): Promise<void> {
    if (this.used >= WRITE_BYTES) await this.startWrite();
  }

  /** Writes what is left and waits for every write to finish. */
  async finish(): Promise<void> {
    await this.startWrite();
    await this.writing;
  }

  /** Settles once no write is in flight (before the file is closed), whatever became of it. */
  async settled(): Promise<void> {
    await this.writing.catch(() => undefined);
  }

  private async startWrite(): Promise<void> {
    await this.writing;
    const full = this.buf;
    const length = this.used;
    this.writing = writeFully(this.file, full, length, this.written);
    this.written += length;
    this.buf = this.spare;
    this.spare = full;
    this.used = 0;
  }

  /** Makes room for `bytes` more, keeping the record being encoded (a record larger than the buffer grows it). */
  private reserve(bytes: number): void {
    if (this.used + bytes <= this.buf.length) return;
    const larger = Buffer.allocUnsafe(this.used + Math.max(bytes, WRITE_BYTES));
    this.buf.copy(larger, 0, 0, this.used);
    this.buf = larger;
  }
}

/** Writes `length` bytes of `buf` at `position`, however many calls the file system takes. */
async function writeFully(file: fs.promises.FileHandle, buf: Buffer, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesWritten } = await file.write(buf, done, length - done, position + done);
    done += bytesWritten;
  }
}

/** Numbers of the journal segments in a directory, ascending. */
function listSegments(dir: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync(dir)) {
    const m = SEGMENT_PATTERN.exec(name);
    if (m) out.push(m[1] === undefined ? 0 : Number(m[1]));
  }
  return out.sort((a, b) => a - b);
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
