import type { Request, Response } from 'express';
import { validated } from '../http/validate.js';
import { t } from '../i18n/index.js';
import { mailboxMessage, mailboxMessages, messageJson } from './mailbox.service.js';
import { listMessages } from './outbox.service.js';
import { mailboxQuery, messageParams, outboxQuery } from './validation.js';

export async function outboxJson(req: Request, res: Response): Promise<void> {
  const { query } = validated(req, outboxQuery);
  const messages = await listMessages(req.user!, { ...(query.status ? { status: query.status } : {}), limit: query.limit });
  res.json({ messages: messages.map(messageJson) });
}

export async function mailboxPage(req: Request, res: Response): Promise<void> {
  const { query } = validated(req, mailboxQuery);
  const { messages, hasMore } = await mailboxMessages(req.user!, query.page);
  res.render('notifications/mailbox', { title: t(req.lang, 'notifications.mailbox.title'), messages, page: query.page, newer: query.page > 1 ? query.page - 1 : null, older: hasMore ? query.page + 1 : null });
}

export async function messagePage(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, messageParams);
  const message = await mailboxMessage(req.user!, params.id);
  res.render('notifications/message', { title: message.subject, message });
}
