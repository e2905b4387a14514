// Small helpers every page route needs: reading one form/query value, refusing early through
// perform() (so the refusal is audited like any other), no-store pages for personal data, and the
// half of a "日本語 (English)" service message in the page's language. control: AC-01, LOG-01
import type { FastifyReply } from 'fastify';
import type { Database } from '../db/client.ts';
import type { Actor, Permission } from '../security/actor.ts';
import { can, ForbiddenError, perform } from '../security/guard.ts';
import type { SafeHtml } from './html.ts';
import { sendPage } from './request-context.ts';
import type { ViewContext } from './view-context.ts';

/** One trimmed string value of a parsed form or query (the first, if repeated), at most max characters. */
export function first(source: unknown, key: string, max = 100): string {
  const raw = (source as Record<string, unknown> | null | undefined)?.[key];
  const v = Array.isArray(raw) ? (raw as unknown[])[0] : raw;
  return typeof v === 'string' ? v.trim().slice(0, max) : '';
}

/** Refuses an actor without `permission` before a page does any work; the refusal is audited by perform(). */
export async function requirePermission(db: Database, actor: Actor, permission: Permission, action: string): Promise<void> {
  if (can(actor, permission)) return;
  await perform(db, actor, { permission, action }, async () => undefined);
  throw new ForbiddenError(permission); // not reached: perform refused already
}

/** Personal data: no browser or proxy may keep a copy. */
export function sendPrivate(reply: FastifyReply, page: SafeHtml, status = 200): FastifyReply {
  reply.header('cache-control', 'no-store');
  return sendPage(reply, page, status);
}

/** Service messages read "日本語 (English)": show the half in the page's language. */
export function localMessage(ctx: ViewContext, message: string): string {
  const m = /^(.*?)\s*\(([^()]*)\)\s*$/s.exec(message);
  if (!m) return message;
  return ctx.locale === 'ja' ? (m[1] ?? message) : (m[2] ?? message);
}
