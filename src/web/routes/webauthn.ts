// Security keys and passkeys over HTTP: register one instead of TOTP while enrolling, use one at
// the second-factor step, and manage them once signed in. The browser side is
// /assets/webauthn.js, which posts JSON with the CSRF token in x-csrf-token. The rules (stages,
// single-use challenges, counters, audit) live in security/webauthn.ts. control: AUTH-02
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../app.ts';
import type { RelyingParty, WebAuthnFailure, WebAuthnResult } from '../../security/webauthn.ts';
import { RECENT_SIGN_IN_MINUTES } from '../../security/webauthn.ts';
import { sendPage, viewContext } from '../request-context.ts';
import { securityKeysPage } from '../views/webauthn.ts';

export interface WebAuthnRouteOptions {
  /** Read per request: by default the origin follows the port the server actually bound. */
  relyingParty: () => RelyingParty;
}

const VerifyBody = z.object({ response: z.unknown(), nickname: z.string().max(200).optional() });
const RemoveForm = z.object({ id: z.string().min(1).max(1400) });

const MESSAGES: Record<WebAuthnFailure | 'no_keys', { ja: string; en: string }> = {
  wrong_stage: { ja: 'この操作は今は行えません。最初からやり直してください。', en: 'This step is not available now. Please start again.' },
  no_challenge: { ja: '操作の有効期限が切れました。もう一度お試しください。', en: 'The request has expired. Please try again.' },
  challenge_expired: { ja: '操作の有効期限が切れました。もう一度お試しください。', en: 'The request has expired. Please try again.' },
  bad_response: { ja: 'セキュリティキーの応答を読み取れませんでした。', en: 'The security key response could not be read.' },
  unknown_credential: { ja: 'このセキュリティキーはこのアカウントに登録されていません。', en: 'This security key is not registered to this account.' },
  duplicate_credential: { ja: 'このセキュリティキーは登録済みです。', en: 'This security key is already registered.' },
  not_verified: { ja: 'セキュリティキーを確認できませんでした。', en: 'The security key could not be verified.' },
  counter_regressed: {
    ja: 'このセキュリティキーは複製された可能性があるため使用できません。管理者に連絡してください。',
    en: 'This security key may have been cloned and cannot be used. Please contact your administrator.',
  },
  reauth_required: {
    ja: `安全のため、セキュリティキーの追加はログインから${RECENT_SIGN_IN_MINUTES}分以内に行ってください。ログアウトし、もう一度ログインしてから追加してください。`,
    en: `For safety, a security key can only be added within ${RECENT_SIGN_IN_MINUTES} minutes of signing in. Please sign out, sign in again and add it then.`,
  },
  no_keys: { ja: 'このアカウントにはセキュリティキーが登録されていません。', en: 'This account has no security keys.' },
};

export function registerWebAuthnRoutes(app: FastifyInstance, services: Services, opts: WebAuthnRouteOptions): void {
  const { webauthn } = services;
  const hidden = { hide: true };
  // Each verification costs a signature check and an audit entry; like the TOTP form, it is rate-limited.
  const limited = { rateLimit: { max: 20, timeWindow: '1 minute' } };

  const message = (request: FastifyRequest, key: keyof typeof MESSAGES): string => MESSAGES[key][request.locale === 'en' ? 'en' : 'ja'];
  const refuse = (request: FastifyRequest, reply: FastifyReply, key: keyof typeof MESSAGES, status = 400): FastifyReply =>
    reply.status(status).send({ ok: false, error: key, message: message(request, key) });
  const answer = (request: FastifyRequest, reply: FastifyReply, result: WebAuthnResult, redirect: string): FastifyReply =>
    result.ok ? reply.send({ ok: true, redirect }) : refuse(request, reply, result.reason);

  // --- Enrolment: a security key instead of an authenticator app (stage totp_enrol).
  app.post('/totp/enrol/webauthn/options', { schema: hidden, config: { access: 'signing-in', ...limited } }, async (request, reply) => {
    const staff = request.staff;
    if (staff?.stage !== 'totp_enrol') return refuse(request, reply, 'wrong_stage', 409);
    const options = await webauthn.registrationOptions(staff, opts.relyingParty());
    return typeof options === 'string' ? refuse(request, reply, options, 409) : reply.send({ options });
  });

  app.post('/totp/enrol/webauthn', { schema: hidden, config: { access: 'signing-in', ...limited } }, async (request, reply) => {
    const staff = request.staff;
    if (staff?.stage !== 'totp_enrol') return refuse(request, reply, 'wrong_stage', 409);
    const body = VerifyBody.safeParse(request.body);
    const result = await webauthn.verifyRegistration(staff, opts.relyingParty(), body.success ? body.data.response : null, body.data?.nickname);
    return answer(request, reply, result, '/');
  });

  // --- Second factor at sign-in (stage totp), for an account that holds a key.
  app.post('/totp/webauthn/options', { schema: hidden, config: { access: 'signing-in', ...limited } }, async (request, reply) => {
    const staff = request.staff;
    if (staff?.stage !== 'totp') return refuse(request, reply, 'wrong_stage', 409);
    const options = await webauthn.authenticationOptions(staff, opts.relyingParty());
    return options ? reply.send({ options }) : refuse(request, reply, 'no_keys', 409);
  });

  app.post('/totp/webauthn', { schema: hidden, config: { access: 'signing-in', ...limited } }, async (request, reply) => {
    const staff = request.staff;
    if (staff?.stage !== 'totp') return refuse(request, reply, 'wrong_stage', 409);
    const body = VerifyBody.safeParse(request.body);
    const result = await webauthn.verifyAuthentication(staff, opts.relyingParty(), body.success ? body.data.response : null);
    return answer(request, reply, result, '/');
  });

  // --- Managing one's own keys once signed in (stage active; the pipeline's default 'staff' access).
  app.get('/account/security-keys', { schema: hidden }, async (request, reply) => {
    const staff = request.staff;
    if (!staff) return reply.redirect('/login');
    const ctx = viewContext(request, reply);
    const q = request.query as { added?: string; removed?: string };
    const ja = ctx.locale === 'ja';
    const notice =
      q.added === '1'
        ? { kind: 'success' as const, text: ja ? 'セキュリティキーを登録しました。' : 'The security key has been registered.' }
        : q.removed === '1'
          ? { kind: 'success' as const, text: ja ? 'セキュリティキーを削除しました。' : 'The security key has been removed.' }
          : undefined;
    return sendPage(reply, securityKeysPage(ctx, { keys: await webauthn.listKeys(staff), ...(notice ? { notice } : {}) }));
  });

  app.post('/account/security-keys/options', { schema: hidden, config: limited }, async (request, reply) => {
    const staff = request.staff;
    if (staff?.stage !== 'active') return refuse(request, reply, 'wrong_stage', 409);
    const options = await webauthn.registrationOptions(staff, opts.relyingParty());
    if (typeof options !== 'string') return reply.send({ options });
    return refuse(request, reply, options, options === 'reauth_required' ? 403 : 409);
  });

  app.post('/account/security-keys', { schema: hidden, config: limited }, async (request, reply) => {
    const staff = request.staff;
    if (staff?.stage !== 'active') return refuse(request, reply, 'wrong_stage', 409);
    const body = VerifyBody.safeParse(request.body);
    const result = await webauthn.verifyRegistration(staff, opts.relyingParty(), body.success ? body.data.response : null, body.data?.nickname);
    return answer(request, reply, result, '/account/security-keys?added=1');
  });

  app.post('/account/security-keys/remove', { schema: hidden }, async (request, reply) => {
    const staff = request.staff;
    if (!staff) return reply.redirect('/login', 303);
    const form = RemoveForm.safeParse(request.body);
    const outcome = form.success ? await webauthn.removeKey(staff, form.data.id) : 'not_found';
    if (outcome === 'removed') return reply.redirect('/account/security-keys?removed=1', 303);
    const ctx = viewContext(request, reply);
    const ja = ctx.locale === 'ja';
    const text =
      outcome === 'last_factor'
        ? ja
          ? '二要素目が無くなるため、最後のセキュリティキーは削除できません。先に認証アプリか別のキーを登録してください。'
          : 'This is your only second factor, so it cannot be removed. Register an authenticator app or another key first.'
        : ja
          ? 'セキュリティキーが見つかりません。'
          : 'The security key was not found.';
    return sendPage(reply, securityKeysPage(ctx, { keys: await webauthn.listKeys(staff), notice: { kind: 'error', text } }), outcome === 'last_factor' ? 409 : 404);
  });
}
