import { pino } from 'pino';

/**
 * One logger for the whole process. Its level is set from the configuration at start-up
 * (`configureLogger`), so modules can import it before the configuration is read.
 */
export const logger = pino({ level: process.env.LOG_LEVEL ?? 'info', base: undefined });

export function configureLogger(level: string): void {
  logger.level = level;
}
