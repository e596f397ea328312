import type { Request, Response } from 'express';
import type { Config } from '../config.js';
import { setFlash } from '../http/flash.js';
import { validated } from '../http/validate.js';
import { t } from '../i18n/index.js';
import { assertInScope } from '../auth/scope.js';
import { previousMonth } from '../reports/provincial-report.service.js';
import { approveMonth, signOffOf, withdrawApproval } from './approvals.service.js';
import { approvalRequest, signOffQuery, withdrawalRequest } from './validation.js';

export function handlers(config: Config) {
  async function signOffFor(req: Request) {
    const { query } = validated(req, signOffQuery);
    const province = (await assertInScope(req.user!, query.province ?? req.user!.province)).province;
    return signOffOf(province, query.month ?? previousMonth(new Date()));
  }
  return {
    async page(req: Request, res: Response): Promise<void> {
      const signOff = await signOffFor(req);
      res.render('approvals/index', { title: t(req.lang, 'approvals.title', { month: signOff.month }), signOff, mayWithdraw: req.user!.role === 'fund-manager' });
    },
    async approve(req: Request, res: Response): Promise<void> {
      const { body } = validated(req, approvalRequest);
      await approveMonth(req.user!, body.place, body.month, config);
      setFlash(req, { type: 'success', key: 'approvals.saved' });
      res.redirect(303, `/approvals?month=${body.month}`);
    },
    async withdraw(req: Request, res: Response): Promise<void> {
      const { body } = validated(req, withdrawalRequest);
      await withdrawApproval(req.user!, body.place, body.month, body.reason);
      setFlash(req, { type: 'success', key: 'approvals.reopened' });
      res.redirect(303, `/approvals?month=${body.month}`);
    },
    async signOffJson(req: Request, res: Response): Promise<void> {
      res.json(await signOffFor(req));
    },
    async approveJson(req: Request, res: Response): Promise<void> {
      const { body } = validated(req, approvalRequest);
      const approval = await approveMonth(req.user!, body.place, body.month, config);
      res.status(201).json({ place: approval.place, month: approval.month, status: approval.status, figures: approval.figures });
    },
    async withdrawJson(req: Request, res: Response): Promise<void> {
      const { body } = validated(req, withdrawalRequest);
      const approval = await withdrawApproval(req.user!, body.place, body.month, body.reason);
      res.json({ place: approval.place, month: approval.month, status: approval.status });
    },
  };
}
