// /audit: log search, review reports, CSV export, sign-off and the integrity check. Every read goes
// through security/audit-review.ts, whose perform() calls check audit.read / audit.verify and log
// the reading itself; an actor without the permission gets the guard's 403. control: LOG-05, LOG-03
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../app.ts';
import { parseIsoDate } from '../../domain/dates.ts';
import { toJstLocalDateTime } from '../../domain/jp-holidays.ts';
import type { AuditExportRequest, AuditSearchFilter, ReportKind, ReportOptions, ReportWindow } from '../../security/audit-review.ts';
import {
  AuditQueryError,
  auditReport,
  exportAuditCsv,
  isReportKind,
  parseAuditCursor,
  searchAudit,
  signOffReview,
  verifyAuditLogAs,
} from '../../security/audit-review.ts';
import type { AuditResult } from '../../security/audit-log.ts';
import { can } from '../../security/guard.ts';
import { first } from '../page-helpers.ts';
import { actorOf, sendPage, viewContext } from '../request-context.ts';
import type { AuditFormValues, AuditPageData, AuditTab } from '../views/audit.ts';
import { auditPage, verifyPage } from '../views/audit.ts';

const REPORT_DAYS = 30;
const hidden = { hide: true };


function todayJst(now: Date): string {
  return toJstLocalDateTime(now).slice(0, 10);
}

function shiftDays(isoDate: string, n: number): string {
  const t = new Date(`${isoDate}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}

/** JST midnight of a calendar day as an instant. */
function jstMidnight(isoDate: string): Date {
  return new Date(`${isoDate}T00:00:00+09:00`);
}

function checkDate(v: string, ja: boolean): string {
  if (v && !parseIsoDate(v)) throw new AuditQueryError(ja ? `日付「${v}」が正しくありません（YYYY-MM-DD）。` : `'${v}' is not a date (YYYY-MM-DD).`);
  return v;
}

function readValues(q: Record<string, unknown>, tab: AuditTab, now: Date): AuditFormValues {
  const isReport = tab !== 'search' && tab !== 'signoffs';
  const today = todayJst(now);
  return {
    from: first(q, 'from', 10) || (isReport ? shiftDays(today, -(REPORT_DAYS - 1)) : ''),
    to: first(q, 'to', 10) || (isReport ? today : ''),
    user: first(q, 'user', 64),
    action: first(q, 'action', 60),
    subject: first(q, 'subject', 64),
    result: first(q, 'result', 10),
    threshold: first(q, 'threshold', 6) || '100',
    window: first(q, 'window', 5) || '60',
  };
}

function windowOf(v: AuditFormValues, ja: boolean): ReportWindow {
  const from = checkDate(v.from, ja);
  const to = checkDate(v.to, ja);
  if (!from || !to) throw new AuditQueryError(ja ? '期間を入力してください。' : 'Enter the period.');
  return { from: jstMidnight(from), to: jstMidnight(shiftDays(to, 1)) };
}

function filterOf(v: AuditFormValues, ja: boolean, before: string): AuditSearchFilter {
  const from = checkDate(v.from, ja);
  const to = checkDate(v.to, ja);
  if (v.result && !['ok', 'denied', 'failed'].includes(v.result)) throw new AuditQueryError(ja ? '結果の指定が正しくありません。' : 'Unknown result.');
  const cursor = before ? parseAuditCursor(before) : null;
  if (before && !cursor) throw new AuditQueryError(ja ? 'ページの指定が正しくありません。' : 'The paging position is not valid.');
  // A uuid is an account id; anything else is a login id (or a pre-login attempt's id).
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu.test(v.user);
  return {
    from: from ? jstMidnight(from) : null,
    to: to ? jstMidnight(shiftDays(to, 1)) : null,
    userId: isUuid ? v.user.toLowerCase() : null,
    loginId: !isUuid && v.user ? v.user : null,
    actionPrefix: v.action || null,
    subjectPersonId: v.subject || null,
    result: (v.result || null) as AuditResult | null,
    before: cursor,
  };
}

function reportOptions(v: AuditFormValues, ja: boolean): ReportOptions {
  const threshold = Number(v.threshold);
  const windowMinutes = Number(v.window);
  if (!Number.isSafeInteger(threshold) || threshold < 1 || !Number.isSafeInteger(windowMinutes) || windowMinutes < 1 || windowMinutes > 1440) {
    throw new AuditQueryError(ja ? 'しきい値と時間枠は正の整数で入力してください（時間枠は1440分まで）。' : 'Threshold and window must be positive integers (window up to 1440 minutes).');
  }
  return { bulk: { threshold, windowMinutes } };
}

function queryOf(tab: AuditTab, v: AuditFormValues): string {
  const q = new URLSearchParams({ tab });
  for (const [k, val] of Object.entries(v)) {
    if (!val) continue;
    if ((k === 'threshold' || k === 'window') && tab !== 'bulk_lookups') continue;
    q.set(k, val);
  }
  return q.toString();
}

function tabOf(q: Record<string, unknown>): AuditTab {
  const t = first(q, 'tab', 20);
  return t === 'signoffs' || isReportKind(t) ? t : 'search';
}

const NOTICES: Record<string, { ja: string; en: string }> = {
  signoff: { ja: '確認を記録しました。', en: 'The review was recorded.' },
};

const SignOffForm = z.object({ report: z.string().max(20), from: z.string().max(10), to: z.string().max(10), comment: z.string().max(1000).default('') });

export function registerAuditRoutes(app: FastifyInstance, services: Services, opts: { now?: () => Date } = {}): void {
  const { db } = services;
  const now = opts.now ?? (() => new Date());

  /** Bad input from someone without the permission still gets (and logs) the 403 first. */
  async function refuseIfNotAuditor(request: FastifyRequest): Promise<void> {
    const actor = actorOf(request);
    if (!can(actor, 'audit.read')) await searchAudit(db, actor, { limit: 1 });
  }

  app.get('/audit', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const ctx = viewContext(request, reply);
    const ja = ctx.locale === 'ja';
    const q = request.query as Record<string, unknown>;
    const tab = tabOf(q);
    const values = readValues(q, tab, now());
    const done = NOTICES[first(q, 'done', 20)];
    const data: AuditPageData = {
      tab,
      values,
      query: queryOf(tab, values),
      canVerify: can(actor, 'audit.verify'),
      notice: done ? (ja ? done.ja : done.en) : null,
    };
    try {
      if (tab === 'search') data.search = await searchAudit(db, actor, filterOf(values, ja, first(q, 'before', 20)));
      else if (tab === 'signoffs') data.search = await searchAudit(db, actor, { ...filterOf(values, ja, first(q, 'before', 20)), actionPrefix: 'audit.signoff' });
      else {
        const w = windowOf(values, ja);
        data.report = await auditReport(db, actor, tab, w, reportOptions(values, ja));
        data.csrfReport = { from: values.from, to: values.to };
      }
    } catch (err) {
      if (!(err instanceof AuditQueryError)) throw err;
      await refuseIfNotAuditor(request);
      return sendPage(reply, auditPage(ctx, { ...data, error: err.message }), 400);
    }
    return sendPage(reply, auditPage(ctx, data));
  });

  app.get('/audit/export', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const ja = request.locale === 'ja';
    const q = request.query as Record<string, unknown>;
    const tab = tabOf(q);
    const values = readValues(q, tab, now());
    let req: AuditExportRequest;
    try {
      if (tab === 'search' || tab === 'signoffs') {
        const filter = filterOf(values, ja, '');
        req = { kind: 'search', filter: tab === 'signoffs' ? { ...filter, actionPrefix: 'audit.signoff' } : filter };
      } else {
        req = { kind: tab, window: windowOf(values, ja), options: reportOptions(values, ja) };
      }
      const file = await exportAuditCsv(db, actor, req, now());
      return sendCsv(reply, file.filename, file.csv);
    } catch (err) {
      if (!(err instanceof AuditQueryError)) throw err;
      await refuseIfNotAuditor(request);
      throw err;
    }
  });

  app.post('/audit/signoff', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const ja = request.locale === 'ja';
    const form = SignOffForm.safeParse(request.body);
    const report = form.success ? form.data.report : '';
    if (!form.success || !isReportKind(report)) {
      await refuseIfNotAuditor(request);
      throw new AuditQueryError(ja ? '入力が正しくありません。' : 'Invalid form.');
    }
    const values = { ...readValues({}, report, now()), from: form.data.from, to: form.data.to };
    try {
      await signOffReview(db, actor, { report: report as ReportKind, window: windowOf(values, ja), comment: form.data.comment });
    } catch (err) {
      if (err instanceof AuditQueryError) await refuseIfNotAuditor(request);
      throw err;
    }
    const back = new URLSearchParams({ tab: report, from: form.data.from, to: form.data.to, done: 'signoff' });
    return reply.redirect(`/audit?${back.toString()}`, 303);
  });

  app.get('/audit/verify', { schema: hidden }, async (request, reply) => {
    const result = await verifyAuditLogAs(db, actorOf(request));
    return sendPage(reply, verifyPage(viewContext(request, reply), result), result.ok ? 200 : 409);
  });
}

export function sendCsv(reply: FastifyReply, filename: string, csv: string | Buffer, charset: 'utf-8' | 'shift_jis' = 'utf-8'): FastifyReply {
  return reply
    .header('content-type', `text/csv; charset=${charset}`)
    .header('content-disposition', `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/gu, '_')}"`)
    .header('cache-control', 'no-store')
    .send(csv);
}
