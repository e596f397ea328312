import { z } from 'zod';

/**
 * Every setting the application reads, in one table: its environment variable, its default and what it is for.
 * The README's configuration table is this table; `loadConfig` is the only place that reads `process.env`.
 */
interface Setting<T> {
  env: string;
  default: string | undefined;
  description: string;
  schema: z.ZodType<T>;
}

function setting<T>(env: string, defaultValue: string | undefined, description: string, schema: z.ZodType<T>): Setting<T> {
  return { env, default: defaultValue, description, schema };
}

const port = z.coerce.number().int().min(0).max(65535);
const optionalText = z.string().trim().min(1).optional();

export const settings = {
  port: setting('PORT', '3000', 'TCP port of the web server (0 picks a free one).', port),
  host: setting('HOST', '127.0.0.1', 'Interface the web server listens on (0.0.0.0 for every interface).', z.string().min(1)),
  mongodbUri: setting(
    'MONGODB_URI',
    undefined,
    'MongoDB connection string. Unset: the embedded MongoDB-compatible server is started, storing under DATA_DIR.',
    z.string().regex(/^mongodb(\+srv)?:\/\/.+/, 'must start with mongodb:// or mongodb+srv://').optional(),
  ),
  dataDir: setting(
    'DATA_DIR',
    './data',
    'Where the embedded database and the generated session secret live. `:memory:` keeps everything in memory.',
    z.string().min(1),
  ),
  embeddedDbPort: setting(
    'EMBEDDED_DB_PORT',
    undefined,
    'Loopback TCP port the embedded database listens on instead of its Unix socket DATA_DIR/db/mongodb.sock (mode 0600), e.g. for a database tool (0 picks a free one); any local user can then connect to it. Unset: the socket only, no TCP port.',
    port.optional(),
  ),
  sessionSecret: setting(
    'SESSION_SECRET',
    undefined,
    'Signs session cookies (32+ characters). Unset on the embedded default: generated once and kept in DATA_DIR. Required with MONGODB_URI.',
    z.string().min(32, 'must be at least 32 characters').optional(),
  ),
  smtpUrl: setting('SMTP_URL', undefined, 'Outgoing mail server for notifications, e.g. smtp://user:pass@mail.example:587. Unset: no mail is sent.', z.url().optional()),
  mailFrom: setting('MAIL_FROM', 'no-reply@localhost', 'Sender address of outgoing mail.', z.string().min(3)),
  publicUrl: setting('PUBLIC_URL', undefined, 'The address users reach the application at, used in links sent by mail. Unset: http://localhost:<PORT>.', z.url().optional()),
  defaultLang: setting('DEFAULT_LANG', 'fa', 'Interface language before a user chooses one: fa or en.', z.enum(['fa', 'en'])),
  demoData: setting(
    'DEMO_DATA',
    'auto',
    'Create the demo accounts on an empty database: auto (only on the embedded default), yes, no.',
    z.enum(['auto', 'yes', 'no']),
  ),
  logLevel: setting('LOG_LEVEL', 'info', 'pino log level: fatal, error, warn, info, debug, trace or silent.', z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
  nodeEnv: setting('NODE_ENV', 'production', 'Only development, set explicitly, shows stack traces on error pages; unset (production) shows the plain error page and logs the stack.', z.enum(['development', 'production', 'test'])),
  smallTownThreshold: setting('SMALL_TOWN_THRESHOLD', '20000', 'Towns with fewer people than this are "small towns" targeted by the campaign.', z.coerce.number().int().positive()),
  loginRateLimit: setting('LOGIN_RATE_LIMIT', '10', 'Failed sign-ins allowed per account in LOGIN_RATE_WINDOW_MINUTES before it is locked for the rest of the window (successes never count).', z.coerce.number().int().positive()),
  loginAddressRateLimit: setting('LOGIN_ADDRESS_RATE_LIMIT', '50', 'Failed sign-ins allowed per client address in LOGIN_RATE_WINDOW_MINUTES (higher: a whole office may share one address).', z.coerce.number().int().positive()),
  loginRateWindowMinutes: setting('LOGIN_RATE_WINDOW_MINUTES', '15', 'Window of the sign-in limits, in minutes; the counts are kept in MongoDB, shared by every instance.', z.coerce.number().int().positive()),
  apiTokenDays: setting('API_TOKEN_DAYS', '30', 'Days an API token stays valid.', z.coerce.number().int().positive()),
  jobsEnabled: setting('JOBS_ENABLED', 'yes', 'Run the scheduled jobs and the outbox delivery in this instance: yes or no (several instances may all say yes).', z.enum(['yes', 'no'])),
  outboxMaxAttempts: setting('OUTBOX_MAX_ATTEMPTS', '10', 'Delivery attempts of one email before it is marked failed (back-off doubles from 30 seconds up to an hour).', z.coerce.number().int().positive()),
  auditRetentionYears: setting('AUDIT_RETENTION_YEARS', '10', 'Years the audit trail is kept; a nightly job removes only older events, and records that it did.', z.coerce.number().int().min(1).max(100)),
  trustProxy: setting('TRUST_PROXY', undefined, 'Express "trust proxy" value when behind a reverse proxy (e.g. 1 or loopback).', optionalText),
} as const;

type Settings = typeof settings;
export type Config = { [K in keyof Settings]: Settings[K] extends Setting<infer T> ? T : never } & { publicUrl: string };

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    problem: string,
  ) {
    super(`Configuration: ${setting} ${problem}`);
    this.name = 'ConfigError';
  }
}

/** Reads and checks every setting once, at start-up; the first bad value stops the start, named. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const config: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(settings) as [string, Setting<unknown>][]) {
    const raw = env[s.env] === undefined || env[s.env] === '' ? s.default : env[s.env];
    const parsed = s.schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfigError(s.env, `is invalid (${JSON.stringify(raw)}): ${issue?.message ?? 'bad value'}`);
    }
    config[key] = parsed.data;
  }
  const result = config as Config;
  // links in mail must reach this server: without PUBLIC_URL, the port it listens on
  result.publicUrl ??= `http://localhost:${result.port}`;
  if (result.mongodbUri && !result.sessionSecret) {
    throw new ConfigError('SESSION_SECRET', 'is required when MONGODB_URI is set (several servers must share it)');
  }
  return result;
}

/** True when the application runs on its own embedded database rather than a MongoDB it was given. */
export function usesEmbeddedDatabase(config: Config): boolean {
  return !config.mongodbUri;
}

export function isInMemory(config: Config): boolean {
  return config.dataDir === ':memory:';
}
