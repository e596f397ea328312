import type { Request, Response } from 'express';
import type { Config } from '../config.js';
import { setFlash } from '../http/flash.js';
import { validated } from '../http/validate.js';
import { hasMessage, t } from '../i18n/index.js';
import { statusCounts } from '../outbox/outbox.service.js';
import { currentMonth } from '../reports/provincial-report.service.js';
import { getRun, listJobs, listRuns, runJson, runNow } from './jobs.service.js';
import { jobParams, runParams } from './validation.js';

/** A run's counts as sentences (`counts.<name>` in the catalogue; a count the catalogue does not know keeps its name). */
const countsText = (counts: Record<string, number> | undefined) =>
  Object.entries(counts ?? {})
    .map(([name, n]) => ({ name, n, key: hasMessage(`counts.${name}`) ? `counts.${name}` : 'counts.other' }))
    .sort((a, b) => a.name.localeCompare(b.name));

export function handlers(config: Config) {
  return {
    async page(req: Request, res: Response): Promise<void> {
      const [jobs, runs, outbox] = await Promise.all([listJobs(req.user!), listRuns(req.user!, { limit: 30 }), statusCounts(req.user!)]);
      res.render('jobs/index', {
        title: t(req.lang, 'jobs.title'),
        jobs,
        runs: runs.map((run) => ({ ...run, id: String(run._id), countList: countsText(run.counts) })),
        outbox: Object.entries(outbox).map(([status, n]) => ({ status, n })),
        mailbox: !config.smtpUrl,
        previewMonth: currentMonth(new Date()),
        // the provincial report is the governor's office's; the installation admin has no province to preview
        province: req.user!.role === 'governor-office' ? req.user!.province : undefined,
      });
    },

    async runPage(req: Request, res: Response): Promise<void> {
      const { params } = validated(req, runParams);
      const run = await getRun(req.user!, params.runId);
      res.render('jobs/run', { title: t(req.lang, 'jobs.run.title', { job: t(req.lang, `jobs.name.${run.job}`) }), run, countList: countsText(run.counts) });
    },

    async runNowForm(req: Request, res: Response): Promise<void> {
      const { params } = validated(req, jobParams);
      const { runId } = await runNow(config, params.name, req.user!);
      setFlash(req, { type: 'success', key: 'jobs.started', params: { job: t(req.lang, `jobs.name.${params.name}`) } });
      res.redirect(303, `/jobs/runs/${runId}`);
    },

    async listJson(req: Request, res: Response): Promise<void> {
      const [jobs, runs] = await Promise.all([listJobs(req.user!), listRuns(req.user!, { limit: 100 })]);
      res.json({ jobs: jobs.map((j) => ({ name: j.name, schedule: j.schedule, timeZone: 'Asia/Tehran', perProvince: j.perProvince })), runs: runs.map(runJson) });
    },

    async runJson(req: Request, res: Response): Promise<void> {
      const { params } = validated(req, runParams);
      res.json(runJson(await getRun(req.user!, params.runId)));
    },

    async runNowJson(req: Request, res: Response): Promise<void> {
      const { params } = validated(req, jobParams);
      res.status(202).json(await runNow(config, params.name, req.user!));
    },
  };
}
