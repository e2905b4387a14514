// /settings: a municipality's own settings (letterhead of mailings, how clinic files are entered,
// the password policy, the access-digest interval) for settings.manage. Validation, permission and audit live in
// modules/tenants/settings.ts; this file maps the three forms to calls and outcomes to pages.
// controls: AC-01, LOG-01
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../app.ts';
import type { TenantSettings } from '../../modules/tenants/settings.ts';
import { setAccessDigestMinutes, setClinicFileEntry, setMailingSettings, setPasswordPolicyFromForm, SettingsInputError, tenantSettings } from '../../modules/tenants/settings.ts';
import { first, localMessage, requirePermission } from '../page-helpers.ts';
import { actorOf, sendPage, viewContext } from '../request-context.ts';
import type { SettingsNotice } from '../views/settings.ts';
import { isSettingsNotice, settingsPage } from '../views/settings.ts';

const hidden = { hide: true };

export function registerSettingsRoutes(app: FastifyInstance, services: Services): void {
  const { db } = services;

  async function render(request: FastifyRequest, reply: FastifyReply, flash: { notice?: SettingsNotice; error?: string; draft?: Partial<TenantSettings> }, status = 200) {
    const current = await tenantSettings(db, actorOf(request));
    const ctx = viewContext(request, reply);
    return sendPage(reply, settingsPage(ctx, { settings: { ...current, ...flash.draft }, notice: flash.notice ?? null, error: flash.error ? localMessage(ctx, flash.error) : null }), status);
  }

  /** Runs one form's change; bad input re-renders the page with the reason (what was typed kept) and changes nothing. */
  async function change(request: FastifyRequest, reply: FastifyReply, notice: SettingsNotice, fn: () => Promise<unknown>, draft: () => Partial<TenantSettings>) {
    // A refusal is audited before any input is looked at.
    await requirePermission(db, actorOf(request), 'settings.manage', `settings.${notice}`);
    try {
      await fn();
      return reply.redirect(`/settings?done=${notice}`, 303);
    } catch (err) {
      if (!(err instanceof SettingsInputError)) throw err;
      return render(request, reply, { error: err.message, draft: draft() }, 400);
    }
  }

  app.get('/settings', { schema: hidden }, async (request, reply) => {
    const done = first(request.query, 'done', 20);
    return render(request, reply, { notice: isSettingsNotice(done) ? done : undefined });
  });

  app.post('/settings/mailing', { schema: hidden }, async (request, reply) => {
    const raw = { senderName: first(request.body, 'senderName', 500), senderContact: first(request.body, 'senderContact', 500), mayorName: first(request.body, 'mayorName', 500), letterPrefix: first(request.body, 'letterPrefix', 500) };
    return change(request, reply, 'mailing', () => setMailingSettings(db, actorOf(request), raw), () => ({
      mailing: { senderName: raw.senderName, senderContact: raw.senderContact, mayorName: raw.mayorName, letterPrefix: raw.letterPrefix },
    }));
  });

  app.post('/settings/clinic-files', { schema: hidden }, async (request, reply) => {
    return change(request, reply, 'clinicFiles', () => setClinicFileEntry(db, actorOf(request), first(request.body, 'clinicFileEntry', 20)), () => ({}));
  });

  app.post('/settings/access-digest', { schema: hidden }, async (request, reply) => {
    return change(request, reply, 'accessDigest', () => setAccessDigestMinutes(db, actorOf(request), first(request.body, 'accessDigestMinutes', 10)), () => ({}));
  });

  app.post('/settings/password-policy', { schema: hidden }, async (request, reply) => {
    const raw = { minLength: first(request.body, 'minLength', 10), requireClasses: first(request.body, 'requireClasses', 10), historyCount: first(request.body, 'historyCount', 10), maxAgeDays: first(request.body, 'maxAgeDays', 10) };
    return change(request, reply, 'passwordPolicy', () => setPasswordPolicyFromForm(db, actorOf(request), raw), () => ({}));
  });
}
