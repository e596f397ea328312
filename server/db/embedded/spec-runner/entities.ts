/** The per-test entity map: clients, databases, collections, sessions, buckets, cursors and saved values. */
import {
  GridFSBucket,
  MongoClient,
  ReadPreference,
  type ClientSession,
  type Collection,
  type Db,
  type MongoClientOptions,
  type ReadPreferenceMode,
} from 'mongodb';
import { commandEventsWanted, EventRecorder } from './events.js';
import { isDocument } from './matcher.js';
import type { Doc } from './types.js';

export interface ClientEntity {
  client: MongoClient;
  recorder?: EventRecorder;
  /** Connections currently checked out (CMAP counter, for assertNumberConnectionsCheckedOut). */
  checkedOut: number;
}

export interface SessionEntity {
  session: ClientSession;
  /** The logical session id, kept from creation so it stays readable after endSession. */
  lsid: Doc;
  clientId: string;
}

export interface ThreadEntity {
  queue: Promise<void>;
  error?: unknown;
}

type Entry =
  | { kind: 'client'; value: ClientEntity }
  | { kind: 'database'; value: Db }
  | { kind: 'collection'; value: Collection }
  | { kind: 'session'; value: SessionEntity }
  | { kind: 'bucket'; value: GridFSBucket }
  | { kind: 'thread'; value: ThreadEntity }
  | { kind: 'cursor'; value: { next(): Promise<unknown>; tryNext(): Promise<unknown>; close(): Promise<void> } }
  | { kind: 'value'; value: unknown };

export type EntityKind = Entry['kind'];
type ValueOf<K extends EntityKind> = Extract<Entry, { kind: K }>['value'];

/** Unwraps Int32/Double (and small Long) wrappers into JS numbers, recursively; for option objects only. */
export function plainNumbers(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && '_bsontype' in v) {
    const t = (v as { _bsontype: string })._bsontype;
    if (t === 'Int32' || t === 'Double') return (v as { valueOf(): number }).valueOf();
    if (t === 'Long') {
      const n = Number(String(v));
      return Number.isSafeInteger(n) ? n : v;
    }
    return v;
  }
  if (Array.isArray(v)) return v.map(plainNumbers);
  if (isDocument(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainNumbers(x)]));
  return v;
}

export function toReadPreference(rp: unknown): ReadPreference {
  const o = plainNumbers(rp) as { mode: string; tagSets?: Doc[]; maxStalenessSeconds?: number; hedge?: Doc };
  const mode = (o.mode.charAt(0).toLowerCase() + o.mode.slice(1)) as ReadPreferenceMode;
  return new ReadPreference(mode, o.tagSets as never, {
    maxStalenessSeconds: o.maxStalenessSeconds,
    hedge: o.hedge as never,
  });
}

export function toWriteConcern(wc: unknown): Doc {
  const o = plainNumbers(wc) as Doc;
  const out: Doc = {};
  if (o.w !== undefined) out.w = o.w;
  if (o.journal !== undefined) out.journal = o.journal;
  if (o.wtimeoutMS !== undefined) out.wtimeoutMS = o.wtimeoutMS;
  return out;
}

/** readConcern / readPreference / writeConcern / timeoutMS of collectionOrDatabaseOptions, or of operation args. */
export function convertCommonOptions(opts: Doc | undefined): Doc {
  const out: Doc = {};
  for (const [k, v] of Object.entries(opts ?? {})) {
    if (k === 'readPreference') out.readPreference = toReadPreference(v);
    else if (k === 'writeConcern') out.writeConcern = toWriteConcern(v);
    else if (k === 'readConcern') out.readConcern = plainNumbers(v);
    else out[k] = plainNumbers(v);
  }
  return out;
}

/** Adds uriOptions to a connection string (query parameters override those already present). */
export function uriWithOptions(uri: string, uriOptions: Doc | undefined): string {
  if (!uriOptions || Object.keys(uriOptions).length === 0) return uri;
  const q = uri.indexOf('?');
  let base = q === -1 ? uri : uri.slice(0, q);
  const params = new Map<string, string[]>();
  if (q !== -1) {
    for (const part of uri.slice(q + 1).split('&').filter(Boolean)) {
      const [k, v = ''] = part.split('=');
      params.set(k.toLowerCase(), [`${k}=${v}`]);
    }
  }
  for (const [k, raw] of Object.entries(plainNumbers(uriOptions) as Doc)) {
    if (isDocument(raw) && '$$placeholder' in raw) throw new Error(`uriOptions.${k}: $$placeholder values are not available here`);
    const values = k === 'readPreferenceTags' && Array.isArray(raw) ? raw : [raw];
    params.set(
      k.toLowerCase(),
      values.map(v => {
        const s = isDocument(v) ? Object.entries(v).map(([a, b]) => `${a}:${String(b)}`).join(',') : String(v);
        return `${k}=${encodeURIComponent(s)}`;
      }),
    );
  }
  if (!base.includes('/', base.indexOf('://') + 3)) base += '/';
  return `${base}?${[...params.values()].flat().join('&')}`;
}

export class EntityMap {
  private readonly map = new Map<string, Entry>();

  constructor(private readonly uri: string) {}

  has(name: string): boolean {
    return this.map.has(name);
  }

  set(name: string, entry: Entry): void {
    if (this.map.has(name)) throw new Error(`entity "${name}" already exists`);
    this.map.set(name, entry);
  }

  get<K extends EntityKind>(name: string, kind: K): ValueOf<K> {
    const e = this.map.get(name);
    if (!e) throw new Error(`no entity named "${name}"`);
    if (e.kind !== kind) throw new Error(`entity "${name}" is a ${e.kind}, not a ${kind}`);
    return e.value as ValueOf<K>;
  }

  kindOf(name: string): EntityKind | undefined {
    return this.map.get(name)?.kind;
  }

  any(name: string): Entry {
    const e = this.map.get(name);
    if (!e) throw new Error(`no entity named "${name}"`);
    return e;
  }

  entries(): [string, Entry][] {
    return [...this.map.entries()];
  }

  /** Saves an operation result (saveResultAsEntity). */
  save(name: string, value: unknown): void {
    if (value === undefined) throw new Error(`saveResultAsEntity "${name}": the operation returned no result`);
    const isCursor = value !== null && typeof value === 'object' && 'tryNext' in value && 'close' in value;
    this.set(name, isCursor ? { kind: 'cursor', value: value as never } : { kind: 'value', value });
  }

  /** createEntities: builds each entity in order. */
  async create(defs: Doc[]): Promise<void> {
    for (const def of defs) {
      const keys = Object.keys(def);
      if (keys.length !== 1) throw new Error(`an entity needs exactly one key, got ${keys.join(',')}`);
      const kind = keys[0];
      const spec = def[kind] as Doc;
      const id = String(spec.id);
      switch (kind) {
        case 'client':
          this.set(id, { kind: 'client', value: await this.makeClient(spec) });
          break;
        case 'database': {
          const { client } = this.get(String(spec.client), 'client');
          this.set(id, { kind: 'database', value: client.db(String(spec.databaseName), convertCommonOptions(spec.databaseOptions as Doc)) });
          break;
        }
        case 'collection': {
          const db = this.get(String(spec.database), 'database');
          this.set(id, {
            kind: 'collection',
            value: db.collection(String(spec.collectionName), convertCommonOptions(spec.collectionOptions as Doc)),
          });
          break;
        }
        case 'session': {
          const clientId = String(spec.client);
          const { client } = this.get(clientId, 'client');
          const so = (spec.sessionOptions ?? {}) as Doc;
          const options: Doc = {};
          for (const [k, v] of Object.entries(so)) {
            if (k === 'defaultTransactionOptions') options[k] = convertCommonOptions(v as Doc);
            else if (k === 'snapshotTime') options[k] = this.get(String(v), 'value');
            else options[k] = plainNumbers(v);
          }
          const session = client.startSession(options);
          this.set(id, { kind: 'session', value: { session, lsid: session.id as unknown as Doc, clientId } });
          break;
        }
        case 'bucket': {
          const db = this.get(String(spec.database), 'database');
          this.set(id, { kind: 'bucket', value: new GridFSBucket(db, convertCommonOptions(spec.bucketOptions as Doc)) });
          break;
        }
        case 'thread':
          this.set(id, { kind: 'thread', value: { queue: Promise.resolve() } });
          break;
        default:
          throw new Error(`unsupported entity type "${kind}"`);
      }
    }
  }

  private async makeClient(spec: Doc): Promise<ClientEntity> {
    if (spec.autoEncryptOpts) throw new Error('autoEncryptOpts (CSFLE) is not supported by this runner');
    const observe = (spec.observeEvents ?? []) as string[];
    const options: MongoClientOptions = {
      monitorCommands: commandEventsWanted(observe),
      serverSelectionTimeoutMS: 10_000,
    };
    if (spec.serverApi) options.serverApi = plainNumbers(spec.serverApi) as never;
    const client = new MongoClient(uriWithOptions(this.uri, spec.uriOptions as Doc), options);
    const entity: ClientEntity = { client, checkedOut: 0 };
    client.on('connectionCheckedOut', () => entity.checkedOut++);
    client.on('connectionCheckedIn', () => entity.checkedOut--);
    if (observe.length > 0) {
      entity.recorder = new EventRecorder(
        client,
        observe,
        (spec.ignoreCommandMonitoringEvents ?? []) as string[],
        spec.observeSensitiveCommands === true,
      );
    }
    // Not connected here: the driver connects on first use, and a client whose read preference no member can
    // serve (e.g. secondary on a one-member set) must still be creatable.
    return entity;
  }

  /** Stops event capture on every client (end of a test's operations). */
  stopCapturing(): void {
    for (const [, e] of this.map) if (e.kind === 'client') e.value.recorder && (e.value.recorder.capturing = false);
  }

  /** Ends sessions, closes cursors and clients. Errors are swallowed: cleanup must not mask the test result. */
  async close(): Promise<void> {
    for (const [, e] of this.map) {
      if (e.kind === 'cursor') await e.value.close().catch(() => undefined);
    }
    for (const [, e] of this.map) {
      if (e.kind === 'session') await e.value.session.endSession().catch(() => undefined);
    }
    for (const [, e] of this.map) {
      if (e.kind === 'client') await e.value.client.close().catch(() => undefined);
    }
    this.map.clear();
  }
}
