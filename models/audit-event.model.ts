import mongoose, { Schema, type Types } from 'mongoose';
import { AppError } from '../server/errors/app-error.js';
import { placeScoped } from './plugins/place-scoped.js';

/** Changes recorded by the audit plugin, and the events recorded by hand where no document changes. */
export const AUDIT_ACTIONS = ['create', 'update', 'delete', 'sign-in', 'sign-in-failed', 'export', 'download', 'retention'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const ACTOR_KINDS = ['user', 'visitor', 'job', 'system'] as const;

/**
 * One line of the audit trail: who (a user and their role, or a job and its run), when, what (collection,
 * document, place), the action, and each changed field before and after. Written in the same transaction as the
 * change (server/audit/record.ts); the application has no way to change or delete one, except the retention job
 * removing events older than AUDIT_RETENTION_YEARS. `province` leads every key: the collection shards by province.
 * Events on installation-wide records (the agency register) carry the acting user's province, or `00`.
 */
const changeSchema = new Schema(
  {
    field: { type: String, required: true },
    before: { type: Schema.Types.Mixed, default: null },
    after: { type: Schema.Types.Mixed, default: null },
    /** A secret (password hash, token): that it changed is recorded, never its value. */
    redacted: { type: Boolean, default: undefined },
  },
  { _id: false },
);

const auditEventSchema = new Schema(
  {
    at: { type: Date, required: true },
    actor: {
      kind: { type: String, enum: ACTOR_KINDS, required: true },
      user: { type: Schema.Types.ObjectId, ref: 'User', default: undefined },
      username: { type: String, default: undefined },
      role: { type: String, default: undefined },
      job: { type: String, default: undefined },
      run: { type: String, default: undefined },
      name: { type: String, default: undefined },
      ip: { type: String, default: undefined },
    },
    action: { type: String, enum: AUDIT_ACTIONS, required: true },
    /** The collection of the object (`enrolments`, `users`, …), or `sessions` / `api_tokens` / `exports` for events without one. */
    subject: { type: String, required: true },
    documentId: { type: String, default: undefined },
    /** Code of the object's place (its last placePath entry). */
    place: { type: String, required: true },
    changes: { type: [changeSchema], default: [] },
    /** What an event without a document change is about: the login typed, the export's name, the rows removed. */
    detail: { type: Schema.Types.Mixed, default: undefined },
  },
  { collection: 'audit_events', versionKey: false },
);
auditEventSchema.plugin(placeScoped);
auditEventSchema.index({ province: 1, at: -1 });
auditEventSchema.index({ province: 1, subject: 1, documentId: 1, at: 1 });
auditEventSchema.index({ province: 1, 'actor.user': 1, at: -1 });

/** The retention job's delete carries this option; every other update or delete of an audit event is refused. */
export const RETENTION_DELETE = 'auditRetention';

auditEventSchema.pre(['updateOne', 'updateMany', 'replaceOne', 'findOneAndUpdate', 'findOneAndReplace', 'findOneAndDelete', 'deleteOne'], function () {
  throw new AppError('auditImmutable', 'audit.immutable', 500);
});
auditEventSchema.pre('deleteMany', function () {
  const options = this.getOptions() as Record<string, unknown>;
  if (options[RETENTION_DELETE] !== true) throw new AppError('auditImmutable', 'audit.immutable', 500);
  delete options[RETENTION_DELETE];
});
auditEventSchema.pre('bulkWrite', function () {
  throw new AppError('auditImmutable', 'audit.immutable', 500);
});

export interface AuditChange {
  field: string;
  before: unknown;
  after: unknown;
  redacted?: boolean;
}

export interface AuditEventRecord {
  _id: Types.ObjectId;
  at: Date;
  actor: { kind: (typeof ACTOR_KINDS)[number]; user?: Types.ObjectId; username?: string; role?: string; job?: string; run?: string; name?: string; ip?: string };
  action: AuditAction;
  subject: string;
  documentId?: string;
  place: string;
  province: string;
  placePath: string[];
  changes: AuditChange[];
  detail?: Record<string, unknown>;
}

export const AuditEvent = mongoose.model('AuditEvent', auditEventSchema);
