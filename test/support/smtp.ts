import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  messageId: string;
  to: string[];
  subject: string;
  raw: string;
}

export interface TestSmtpServer {
  port: number;
  url: string;
  received: ReceivedMail[];
  /** Distinct Message-IDs received. */
  distinctIds(): Set<string>;
  stop(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 for a test: it accepts every message and keeps it. `port` reuses a port (to bring
 * a server "back" where it was); `delayMs` holds each message before answering 250, to catch a sender mid-delivery;
 * `reject` answers 550 to the recipients it names.
 */
export async function startSmtpServer(options: { port?: number; delayMs?: number; reject?: (to: string) => boolean } = {}): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.reject?.(address.address)) {
        const err = new Error('no such mailbox') as Error & { responseCode: number };
        err.responseCode = 550;
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const header = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
        const messageId = /^Message-ID:\s*(\S+)/im.exec(header)?.[1] ?? '';
        const subject = /^Subject:\s*(.*)$/im.exec(header)?.[1] ?? '';
        const finish = () => {
          received.push({ messageId, to: session.envelope.rcptTo.map((r) => r.address), subject, raw });
          callback();
        };
        if (options.delayMs) setTimeout(finish, options.delayMs);
        else finish();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    distinctIds: () => new Set(received.map((m) => m.messageId)),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port nobody listens on (an SMTP server that is down): one is opened and closed again. */
export async function closedPort(): Promise<number> {
  const probe = await startSmtpServer();
  await probe.stop();
  return probe.port;
}

export interface DecodedMail {
  subject: string;
  to: string;
  text: string;
  html: string;
  attachments: { filename: string; contentType: string; content: Buffer }[];
  headers: Record<string, string>;
}

function splitHeaders(part: string): { headers: Record<string, string>; body: string } {
  const at = part.search(/\r?\n\r?\n/);
  const head = at < 0 ? part : part.slice(0, at);
  const body = at < 0 ? '' : part.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

/** RFC 2047 encoded words, as nodemailer writes them (B or Q, UTF-8). */
function decodeWords(value: string): string {
  return value.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=\s*(?==\?)?/g, (_all, _charset: string, encoding: string, text: string) =>
    encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : Buffer.from(decodeQuotedPrintable(text.replace(/_/g, ' ')), 'binary').toString('utf8'),
  );
}

function decodeQuotedPrintable(text: string): string {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_all, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function decodeBody(body: string, encoding: string | undefined): Buffer {
  if (encoding?.toLowerCase() === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64');
  if (encoding?.toLowerCase() === 'quoted-printable') return Buffer.from(decodeQuotedPrintable(body), 'binary');
  return Buffer.from(body, 'utf8');
}

/** Reads a received message as a mail program would: subject, plain text, HTML and attachments, decoded. */
export function decodeMail(raw: string): DecodedMail {
  const top = splitHeaders(raw);
  const mail: DecodedMail = { subject: decodeWords(top.headers.subject ?? ''), to: top.headers.to ?? '', text: '', html: '', attachments: [], headers: top.headers };
  const walk = (headers: Record<string, string>, body: string) => {
    const type = headers['content-type'] ?? 'text/plain';
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (/^multipart\//i.test(type) && boundary) {
      for (const part of body.split(`--${boundary}`).slice(1)) {
        if (part.startsWith('--')) break;
        const inner = splitHeaders(part.replace(/^\r?\n/, ''));
        walk(inner.headers, inner.body);
      }
      return;
    }
    const content = decodeBody(body, headers['content-transfer-encoding']);
    const filename = /filename="?([^";]+)"?/i.exec(headers['content-disposition'] ?? '')?.[1];
    if (filename || /^attachment/i.test(headers['content-disposition'] ?? '')) mail.attachments.push({ filename: decodeWords(filename ?? ''), contentType: type.split(';')[0]!, content });
    else if (/^text\/html/i.test(type)) mail.html += content.toString('utf8');
    else if (/^text\/plain/i.test(type)) mail.text += content.toString('utf8');
  };
  walk(top.headers, top.body);
  return mail;
}
