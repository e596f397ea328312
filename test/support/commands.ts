import mongoose from 'mongoose';

/** A command the application sent to the database, as the driver's command monitoring saw it. */
export interface SentCommand {
  name: string;
  collection: string | undefined;
  command: Record<string, unknown>;
}

/** What the driver never counts as the application's: its own handshakes and heartbeats. */
const DRIVER_OWN = new Set(['hello', 'ismaster', 'isMaster', 'ping', 'endSessions', 'saslStart', 'saslContinue', 'buildInfo']);

/**
 * Records every command sent through Mongoose's client while `work` runs (the test connection monitors commands,
 * test/support/database.ts); each is one round trip.
 */
export async function recordCommands<T>(work: () => Promise<T>): Promise<{ result: T; commands: SentCommand[] }> {
  const client = mongoose.connection.getClient();
  const commands: SentCommand[] = [];
  const listener = (event: { commandName: string; command: Record<string, unknown> }) => {
    if (DRIVER_OWN.has(event.commandName)) return;
    const target = event.command[event.commandName];
    commands.push({ name: event.commandName, collection: typeof target === 'string' ? target : undefined, command: event.command });
  };
  client.on('commandStarted', listener);
  try {
    return { result: await work(), commands };
  } finally {
    client.off('commandStarted', listener);
  }
}
