import mongoose, { Schema, type Types } from 'mongoose';
import { placeScoped } from './plugins/place-scoped.js';

export const IMPORT_STATUSES = ['running', 'done', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** A row of the file that was not saved: its spreadsheet line, the column at fault and why (a catalogue key and its figures). */
export interface ImportProblem {
  line: number;
  column: string;
  value: string;
  reason: string;
  params?: Record<string, string | number>;
}

/**
 * One upload of an enrolment file (CSV or XLSX, up to 10,000 rows) and how far its import has gone. The batch is
 * bound to the uploader's place (their scope decides who may open it). `fileHash` (SHA-256 of the bytes) lets a
 * second upload of the same file for the same campaign be recognised, so it adds nothing twice.
 */
const enrolmentImportSchema = new Schema(
  {
    campaign: { type: Schema.Types.ObjectId, ref: 'Campaign', required: true },
    filename: { type: String, required: true, maxlength: 300 },
    fileHash: { type: String, required: true, match: /^[0-9a-f]{64}$/ },
    status: { type: String, enum: IMPORT_STATUSES, required: true, default: 'running' },
    /** Data rows in the file. */
    total: { type: Number, required: true, min: 0 },
    processed: { type: Number, default: 0 },
    saved: { type: Number, default: 0 },
    /** Rows already enrolled by an earlier upload of this same file (an interrupted import run again). */
    alreadyImported: { type: Number, default: 0 },
    problems: {
      type: [{ _id: false, line: Number, column: String, value: String, reason: String, params: { type: Schema.Types.Mixed, default: undefined } }],
      default: [],
    },
    /** Rows saved with a remark the uploader should check (a national ID whose lost leading zeros were restored). */
    notes: {
      type: [{ _id: false, line: Number, column: String, value: String, reason: String, params: { type: Schema.Types.Mixed, default: undefined } }],
      default: [],
    },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    finishedAt: { type: Date, default: undefined },
    /** Why a failed import stopped: a catalogue key (enrolments.import.failure.*) and its figures. */
    failure: { type: new Schema({ reason: { type: String, required: true }, params: { type: Schema.Types.Mixed, default: undefined } }, { _id: false }), default: undefined },
  },
  { collection: 'enrolment_imports', timestamps: true, versionKey: false },
);
enrolmentImportSchema.plugin(placeScoped);
enrolmentImportSchema.index({ province: 1, campaign: 1, fileHash: 1 });

export interface EnrolmentImportRecord {
  _id: Types.ObjectId;
  campaign: Types.ObjectId;
  province: string;
  placePath: string[];
  filename: string;
  fileHash: string;
  status: ImportStatus;
  total: number;
  processed: number;
  saved: number;
  alreadyImported: number;
  problems: ImportProblem[];
  notes?: ImportProblem[];
  createdBy: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
  finishedAt?: Date;
  failure?: ImportFailure;
}

export interface ImportFailure {
  reason: string;
  params?: Record<string, string | number>;
}

export const EnrolmentImport = mongoose.model('EnrolmentImport', enrolmentImportSchema);
