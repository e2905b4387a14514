// Sign-in flow over HTTP. The rules (lockout, stages, audit) live in security/sessions.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../app.ts';
import type { ResolvedSession } from '../../security/sessions.ts';
import type { SafeHtml } from '../html.ts';
import type { ViewContext } from '../view-context.ts';
import { sendPage, viewContext } from '../request-context.ts';
import { loginPage, passwordChangePage, totpEnrolPage, totpPage } from '../views/auth.ts';
import { securityKeyEnrolSection, securityKeySignInSection } from '../views/webauthn.ts';

interface AuthOptions {
  sessionCookie: string;
  cookieOpts: { path: string; httpOnly: boolean; sameSite: 'strict'; secure: boolean };
  defaultTenant?: string | undefined;
}

const LoginForm = z.object({ municipalityCode: z.string().max(20), loginId: z.string().max(64), password: z.string().max(256) });
const PasswordForm = z.object({ current: z.string().max(256), next: z.string().max(256), again: z.string().max(256) });
const CodeForm = z.object({ code: z.string().max(20) });

export function registerAuthRoutes(app: FastifyInstance, services: Services, opts: AuthOptions): void {
  const { sessions } = services;
  const stageUrl = { password_change: '/password', totp_enrol: '/totp/enrol', totp: '/totp', active: '/' } as const;
  const hidden = { hide: true };

  app.get('/login', { schema: hidden, config: { access: 'public' } }, async (request, reply) => {
    if (request.staff) return reply.redirect(stageUrl[request.staff.stage]);
    const q = request.query as { tenant?: string };
    return sendPage(reply, loginPage(viewContext(request, reply), { municipalityCode: q.tenant ?? opts.defaultTenant ?? '' }));
  });

  // A tighter limit than the global one: password guessing is what this route attracts. control: AUTH-04
  app.post('/login', { schema: hidden, config: { access: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } } }, async (request, reply) => {
    const form = LoginForm.safeParse(request.body);
    const ctx = viewContext(request, reply);
    if (!form.success) return sendPage(reply, loginPage(ctx, { municipalityCode: '', error: ctx.t('loginFailed') }), 400);
    const result = await sessions.login({ ...form.data, terminalId: request.terminalId });
    if (!result.ok) {
      const error = result.reason === 'locked' ? ctx.t('loginLocked') : ctx.t('loginFailed');
      return sendPage(reply, loginPage(ctx, { municipalityCode: form.data.municipalityCode, loginId: form.data.loginId, error }), 401);
    }
    reply.setCookie(opts.sessionCookie, result.cookieValue, opts.cookieOpts);
    return reply.redirect(stageUrl[result.stage], 303);
  });

  /** Too many wrong second factors: the session is revoked, so back to the sign-in page with the reason. control: AUTH-04 */
  function lockedOut(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    reply.clearCookie(opts.sessionCookie, { path: '/' });
    const ctx = viewContext(request, reply);
    return sendPage(reply, loginPage(ctx, { municipalityCode: request.staff?.actor.municipalityCode ?? '', error: ctx.t('loginLocked') }), 401);
  }

  app.get('/password', { schema: hidden, config: { access: 'public' } }, async (request, reply) => {
    if (!request.staff) return reply.redirect('/login');
    return sendPage(reply, passwordChangePage(viewContext(request, reply), { firstTime: request.staff.stage === 'password_change' }));
  });

  app.post('/password', { schema: hidden, config: { access: 'public' } }, async (request, reply) => {
    const staff = request.staff;
    if (!staff) return reply.redirect('/login', 303);
    const ctx = viewContext(request, reply);
    const firstTime = staff.stage === 'password_change';
    const form = PasswordForm.safeParse(request.body);
    if (!form.success) return sendPage(reply, passwordChangePage(ctx, { firstTime, errors: [ctx.t('passwordsDiffer')] }), 400);
    if (form.data.next !== form.data.again) return sendPage(reply, passwordChangePage(ctx, { firstTime, errors: [ctx.t('passwordsDiffer')] }), 400);
    const result = await sessions.changePassword(staff, { current: form.data.current, next: form.data.next });
    if (!result.ok) {
      const errors = result.failures === 'wrong_current' ? [ctx.t('loginFailed')] : result.failures.map((f) => (ctx.locale === 'ja' ? f.ja : f.en));
      return sendPage(reply, passwordChangePage(ctx, { firstTime, errors }), 400);
    }
    return reply.redirect(stageUrl[result.stage], 303);
  });

  app.get('/totp/enrol', { schema: hidden, config: { access: 'signing-in' } }, async (request, reply) => {
    const staff = request.staff;
    if (staff?.stage !== 'totp_enrol') return reply.redirect(staff ? stageUrl[staff.stage] : '/login');
    const ctx = viewContext(request, reply);
    return sendPage(reply, totpEnrolPage(ctx, { ...(await sessions.totpEnrolment(staff)), extra: securityKeyEnrolSection(ctx) }));
  });

  app.post('/totp/enrol', { schema: hidden, config: { access: 'signing-in', rateLimit: { max: 20, timeWindow: '1 minute' } } }, async (request, reply) => {
    const staff = request.staff;
    if (staff?.stage !== 'totp_enrol') return reply.redirect('/login', 303);
    const code = CodeForm.safeParse(request.body);
    const result = code.success ? await sessions.verifySecondFactor(staff, code.data.code) : 'invalid';
    if (result === 'ok') return reply.redirect('/', 303);
    if (result === 'locked') return lockedOut(request, reply);
    const ctx = viewContext(request, reply);
    const error = ctx.locale === 'ja' ? 'コードが正しくありません。' : 'The code is not correct.';
    return sendPage(reply, totpEnrolPage(ctx, { ...(await sessions.totpEnrolment(staff)), error, extra: securityKeyEnrolSection(ctx) }), 400);
  });

  app.get('/totp', { schema: hidden, config: { access: 'signing-in' } }, async (request, reply) => {
    const staff = request.staff;
    if (staff?.stage !== 'totp') return reply.redirect(staff ? stageUrl[staff.stage] : '/login');
    return sendPage(reply, await secondFactorPage(staff, viewContext(request, reply)));
  });

  app.post('/totp', { schema: hidden, config: { access: 'signing-in', rateLimit: { max: 20, timeWindow: '1 minute' } } }, async (request, reply) => {
    const staff = request.staff;
    if (staff?.stage !== 'totp') return reply.redirect('/login', 303);
    const code = CodeForm.safeParse(request.body);
    const result = code.success ? await sessions.verifySecondFactor(staff, code.data.code) : 'invalid';
    if (result === 'ok') return reply.redirect('/', 303);
    if (result === 'locked') return lockedOut(request, reply);
    const ctx = viewContext(request, reply);
    return sendPage(reply, await secondFactorPage(staff, ctx, ctx.locale === 'ja' ? 'コードが正しくありません。' : 'The code is not correct.'), 400);
  });

  /** The code form when the account holds a TOTP secret, the security-key button when it holds a key. control: AUTH-02 */
  async function secondFactorPage(staff: ResolvedSession, ctx: ViewContext, error?: string): Promise<SafeHtml> {
    const factors = await services.webauthn.secondFactors(staff);
    return totpPage(ctx, {
      ...(error ? { error } : {}),
      codeForm: factors.totp || factors.keys === 0,
      ...(factors.keys > 0 ? { extra: securityKeySignInSection(ctx) } : {}),
    });
  }

  app.post('/logout', { schema: hidden, config: { access: 'public' } }, async (request, reply) => {
    if (request.staff) await sessions.logout(request.staff);
    reply.clearCookie(opts.sessionCookie, { path: '/' });
    return reply.redirect('/login', 303);
  });
}
