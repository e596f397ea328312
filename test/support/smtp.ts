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
