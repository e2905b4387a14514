// /accounts: staff account administration over HTTP. The rules (permissions, audit, validation,
// tenant isolation) live in security/accounts.ts and account-review.ts; this file maps forms to
// calls and outcomes to pages. control: AUTH-07, AUTH-08, AUTH-09, AUTH-12, AC-02
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../app.ts';
import { isRoleId } from '../../security/actor.ts';
import { accountReview, accountReviewCsv } from '../../security/account-review.ts';
import { signOffReview } from '../../security/audit-review.ts';
import {
  AccountError,
  changeRole,
  checkAccountId,
  createAccount,
  disableAccount,
  listAccounts,
  NoSuchAccountError,
  resetPassword,
  revokeSessions,
  setExpiry,
} from '../../security/accounts.ts';
import { can } from '../../security/guard.ts';
import { actorOf, sendPage, viewContext } from '../request-context.ts';
import type { Flash } from '../views/accounts.ts';
import { accountPage, accountReviewPage, accountsPage } from '../views/accounts.ts';
import { sendCsv } from './audit.ts';

const hidden = { hide: true };
const text = (max: number) => z.string().max(max).default('');

const CreateForm = z.object({ loginId: text(64), displayName: text(200), department: text(200), role: text(40), expiresOn: text(20) });
const ReasonForm = z.object({ reason: text(1000) });
const RoleForm = z.object({ role: text(40), reason: text(1000), approvedBy: text(200), requestingDepartment: text(200) });
const ExpiryForm = z.object({ expiresOn: text(20) });

type Done = 'created' | 'disabled' | 'revoked' | 'reset' | 'role' | 'expiry';
const NOTICES: Record<Done, { ja: string; en: string }> = {
  created: { ja: 'アカウントを作成しました。', en: 'The account was created.' },
  disabled: { ja: 'アカウントを無効にし、ログイン中のセッションを終了しました。', en: 'The account was disabled and its sessions ended.' },
  revoked: { ja: 'ログイン中のセッションを終了しました。', en: 'Open sessions were ended.' },
  reset: { ja: 'パスワードを再発行し、ログイン中のセッションを終了しました。', en: 'The password was reset and open sessions ended.' },
  role: { ja: '権限を変更しました。', en: 'The role was changed.' },
  expiry: { ja: '有効期限を保存しました。', en: 'The end date was saved.' },
};

/** A malformed form is refused like any other bad input, as a 400 with a message. */
function formOf<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new AccountError('the form is not valid (入力が正しくありません)');
  return parsed.data;
}

function idOf(request: FastifyRequest): string {
  return (request.params as { id: string }).id;
}

function days(q: Record<string, unknown>, key: string, fallback: number): number {
  const v = Number(typeof q[key] === 'string' ? q[key] : NaN);
  return Number.isSafeInteger(v) && v >= 1 && v <= 3650 ? v : fallback;
}

export function registerAccountRoutes(app: FastifyInstance, services: Services, opts: { now?: () => Date } = {}): void {
  const { db } = services;
  const now = opts.now ?? (() => new Date());

  async function renderList(request: FastifyRequest, reply: FastifyReply, flash: Flash, status = 200): Promise<FastifyReply> {
    const actor = actorOf(request);
    const accounts = await listAccounts(db, actor);
    return sendPage(reply, accountsPage(viewContext(request, reply), { accounts, canManage: can(actor, 'account.manage'), now: now(), ...flash }), status);
  }

  async function renderAccount(request: FastifyRequest, reply: FastifyReply, id: string, flash: Flash, status = 200): Promise<FastifyReply> {
    const actor = actorOf(request);
    const account = (await listAccounts(db, actor)).find((a) => a.id === id);
    if (!account) throw new NoSuchAccountError('no such account');
    const page = accountPage(viewContext(request, reply), { account, canManage: can(actor, 'account.manage'), isSelf: id === actor.userId, now: now(), ...flash });
    return sendPage(reply, page, status);
  }

  /** Runs an account action; a refused one (bad input, unknown or foreign id) re-renders with the reason. */
  async function act(request: FastifyRequest, reply: FastifyReply, fn: (id: string) => Promise<Done | Flash>): Promise<FastifyReply> {
    const ja = request.locale === 'ja';
    const rawId = idOf(request);
    try {
      const id = checkAccountId(rawId);
      const outcome = await fn(id);
      if (typeof outcome === 'string') return reply.redirect(`/accounts/${id}?done=${outcome}`, 303);
      return renderAccount(request, reply, id, outcome);
    } catch (err) {
      if (!(err instanceof AccountError)) throw err;
      const msg = err instanceof NoSuchAccountError ? (ja ? '該当するアカウントがありません。' : 'No such account.') : err.message;
      // An unknown (or another municipality's) id has no page to return to: back to the list.
      if (err instanceof NoSuchAccountError) return renderList(request, reply, { error: msg }, 404);
      try {
        return await renderAccount(request, reply, rawId.toLowerCase(), { error: msg }, 400);
      } catch (again) {
        if (!(again instanceof NoSuchAccountError)) throw again;
        return renderList(request, reply, { error: ja ? '該当するアカウントがありません。' : 'No such account.' }, 404);
      }
    }
  }

  app.get('/accounts', { schema: hidden }, async (request, reply) => {
    const ja = request.locale === 'ja';
    const done = NOTICES[(request.query as { done?: string }).done as Done] as { ja: string; en: string } | undefined;
    return renderList(request, reply, { notice: done ? (ja ? done.ja : done.en) : null });
  });

  app.post('/accounts', { schema: hidden }, async (request, reply) => {
    const actor = actorOf(request);
    const ja = request.locale === 'ja';
    const form = CreateForm.safeParse(request.body ?? {});
    if (!form.success || !isRoleId(form.data.role)) return renderList(request, reply, { error: ja ? '入力が正しくありません。' : 'Invalid form.' }, 400);
    const f = form.data;
    try {
      const created = await createAccount(db, actor, {
        loginId: f.loginId.trim().toLowerCase(),
        displayName: f.displayName,
        department: f.department.trim(),
        role: f.role as Parameters<typeof createAccount>[2]['role'],
        expiresOn: f.expiresOn || null,
      });
      const notice = ja ? NOTICES.created.ja : NOTICES.created.en;
      return renderList(request, reply, { notice, issued: { loginId: f.loginId.trim().toLowerCase(), password: created.oneTimePassword } });
    } catch (err) {
      if (!(err instanceof AccountError)) throw err;
      return renderList(request, reply, { error: err.message }, 400);
    }
  });

  app.get('/accounts/review', { schema: hidden }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const review = await accountReview(db, actorOf(request), now(), { dormantDays: days(q, 'dormantDays', 90), expiringDays: days(q, 'expiringDays', 30) });
    const ja = request.locale === 'ja';
    const notice = q.done === 'signoff' ? (ja ? '確認を記録しました。' : 'The review was recorded.') : null;
    return sendPage(reply, accountReviewPage(viewContext(request, reply), review, notice));
  });

  // control: AUTH-09 — the reviewer's sign-off of the account review, recorded in the audit chain.
  app.post('/accounts/review/signoff', { schema: hidden }, async (request, reply) => {
    const form = z.object({ comment: text(1000) }).safeParse(request.body ?? {});
    await signOffReview(db, actorOf(request), { report: 'account_review', comment: form.success ? form.data.comment : '' });
    return reply.redirect('/accounts/review?done=signoff', 303);
  });

  app.get('/accounts/review.csv', { schema: hidden }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const file = await accountReviewCsv(db, actorOf(request), now(), { dormantDays: days(q, 'dormantDays', 90), expiringDays: days(q, 'expiringDays', 30) });
    return sendCsv(reply, file.filename, file.csv);
  });

  app.get('/accounts/:id', { schema: hidden }, async (request, reply) => {
    const ja = request.locale === 'ja';
    const done = NOTICES[(request.query as { done?: string }).done as Done] as { ja: string; en: string } | undefined;
    try {
      return await renderAccount(request, reply, checkAccountId(idOf(request)), { notice: done ? (ja ? done.ja : done.en) : null });
    } catch (err) {
      if (!(err instanceof NoSuchAccountError)) throw err;
      return renderList(request, reply, { error: ja ? '該当するアカウントがありません。' : 'No such account.' }, 404);
    }
  });

  app.post('/accounts/:id/disable', { schema: hidden }, async (request, reply) =>
    act(request, reply, async (id) => {
      await disableAccount(db, actorOf(request), id, formOf(ReasonForm, request.body).reason);
      return 'disabled';
    }),
  );

  app.post('/accounts/:id/revoke', { schema: hidden }, async (request, reply) =>
    act(request, reply, async (id) => {
      await revokeSessions(db, actorOf(request), id);
      return 'revoked';
    }),
  );

  app.post('/accounts/:id/reset', { schema: hidden }, async (request, reply) =>
    act(request, reply, async (id) => {
      const { oneTimePassword } = await resetPassword(db, actorOf(request), id);
      const account = (await listAccounts(db, actorOf(request))).find((a) => a.id === id);
      const ja = request.locale === 'ja';
      return { notice: ja ? NOTICES.reset.ja : NOTICES.reset.en, issued: { loginId: account?.login_id ?? id, password: oneTimePassword } };
    }),
  );

  app.post('/accounts/:id/role', { schema: hidden }, async (request, reply) =>
    act(request, reply, async (id) => {
      const f = formOf(RoleForm, request.body);
      if (!isRoleId(f.role)) throw new AccountError(`unknown role ${f.role}`);
      await changeRole(db, actorOf(request), id, { role: f.role, reason: f.reason, approvedBy: f.approvedBy, requestingDepartment: f.requestingDepartment });
      return 'role';
    }),
  );

  app.post('/accounts/:id/expiry', { schema: hidden }, async (request, reply) =>
    act(request, reply, async (id) => {
      await setExpiry(db, actorOf(request), id, formOf(ExpiryForm, request.body).expiresOn || null);
      return 'expiry';
    }),
  );
}
