import { Agreement, type AgreementRecord } from '../../models/agreement.model.js';
import { ProblemTopic, type ProblemTopicRecord } from '../../models/problem-topic.model.js';
import type { ScopeUser } from '../auth/scope.js';
import { topicTrends, type Figures } from './trends.service.js';

export interface ReportTopicRow {
  topic: string;
  name: { fa: string; en: string };
  quarter: Figures;
  lastYear: Figures;
  month: Figures;
  previousMonth: Figures;
  /** Clauses of the province's agreements that address it. */
  clauses: number;
}

export interface FieldProblemSection {
  quarter: { year: number; quarter: number };
  throughMonth: number;
  topics: ReportTopicRow[];
  /** Clause proposals still waiting for a decision at the time of the report. */
  proposalsWaiting?: number;
}

/** The monthly report's field-problem section: the province's topics through the report's month, as the trends page ranks them. */
export async function fieldProblemSection(province: string, year: number, month: number): Promise<FieldProblemSection> {
  const area: ScopeUser = { role: 'governor-office', placeCode: province, province };
  const trends = await topicTrends(area, { month: { year, month } });
  const [topics, agreements] = await Promise.all([
    ProblemTopic.find({}).setOptions({ scope: area }).lean<ProblemTopicRecord[]>(),
    Agreement.find({}, { clauses: 1 }).setOptions({ scope: area }).lean<Pick<AgreementRecord, 'clauses'>[]>(),
  ]);
  const names = new Map(topics.map((t) => [t.code, { fa: t.nameFa, en: t.nameEn }]));
  const clauses = agreements.flatMap((a) => a.clauses);
  return {
    quarter: trends.quarter,
    throughMonth: trends.throughMonth,
    topics: trends.topics
      .filter((t) => t.quarter.reports || t.lastYear.reports || t.month.reports || t.previousMonth.reports)
      .map(({ series: _series, ...t }) => ({ ...t, name: names.get(t.topic) ?? { fa: t.topic, en: t.topic }, clauses: clauses.filter((c) => c.topics.includes(t.topic)).length })),
  };
}
