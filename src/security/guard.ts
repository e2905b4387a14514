// The one place where permission checks and audit records happen (controls AC-01, LOG-01):
// services describe the operation and get a tenant-scoped transaction; they never check roles
// or write audit entries for their main action themselves.
import type { Database } from '../db/client.ts';
import type { ScopedTx } from '../db/scoped.ts';
import { withTenantScope } from '../db/scoped.ts';
import type { Actor, Permission } from './actor.ts';
import type { JsonObject } from './audit-chain.ts';
import type { AuditEvent } from './audit-log.ts';
import { appendAudit, auditWho } from './audit-log.ts';
import { scrubText } from './redaction.ts';

export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
  constructor(readonly permission: Permission) {
    super(`permission ${permission} is required for this operation`);
  }
}

export class MissingActorError extends Error {
  override name = 'MissingActorError';
}

export interface Operation {
  /** Permission the actor must hold. */
  readonly permission: Permission;
  /** Audit event code for the operation, e.g. 'person.view'. */
  readonly action: string;
  readonly subjectPersonId?: string | null;
  readonly detail?: JsonObject;
}

/** Lets a service add entries for other subjects (bulk look-ups); written in the same transaction, after the work. */
export type AuditMore = (event: AuditEvent) => Promise<void>;

export interface OperationContext {
  readonly tx: ScopedTx;
  readonly actor: Actor;
  readonly audit: AuditMore;
  /** Adds facts to the operation's own audit entry (counts, ids created). */
  readonly note: (detail: JsonObject) => void;
}

export function can(actor: Actor, permission: Permission): boolean {
  return actor.permissions.has(permission);
}

export async function perform<T>(
  db: Database,
  actor: Actor | null | undefined,
  op: Operation,
  fn: (ctx: OperationContext) => Promise<T>,
): Promise<T> {
  if (!actor) throw new MissingActorError(`operation ${op.action} refused: no actor`);
  const who = auditWho(actor);
  if (!can(actor, op.permission)) {
    await withTenantScope(db, actor, (tx) =>
      appendAudit(tx, who, { action: op.action, result: 'denied', subjectPersonId: op.subjectPersonId ?? null, detail: { permission: op.permission } }),
    );
    throw new ForbiddenError(op.permission);
  }
  let extra: JsonObject = {};
  try {
    return await withTenantScope(db, actor, async (tx) => {
      // Entries are written after the work, just before commit: appending locks a chain lane of
      // the tenant until the transaction ends, so the later it happens the shorter other audited
      // transactions may have to wait for a lane. They still commit or roll back with the work,
      // and keep the time they were recorded at. control: LOG-01, LOG-03
      const more: Array<{ event: AuditEvent; at: Date }> = [];
      const ctx: OperationContext = {
        tx,
        actor,
        audit: (event) => {
          more.push({ event, at: new Date() });
          return Promise.resolve();
        },
        note: (detail) => {
          extra = { ...extra, ...detail };
        },
      };
      const result = await fn(ctx);
      for (const m of more) await appendAudit(tx, who, m.event, m.at);
      await appendAudit(tx, who, {
        action: op.action,
        result: 'ok',
        subjectPersonId: op.subjectPersonId ?? null,
        detail: { ...(op.detail ?? {}), ...extra },
      });
      return result;
    });
  } catch (err) {
    // The action rolled back; the attempt itself is still recorded, with what the service said it
    // would do (the target of a refused account change, say) and what it noted before failing (a
    // rejected file's error count). Only the error's class goes into the log: messages may quote
    // the input, and the input may be personal data.
    const reason = scrubText(err instanceof Error ? err.name : 'Error');
    await withTenantScope(db, actor, (tx) =>
      appendAudit(tx, who, { action: op.action, result: 'failed', subjectPersonId: op.subjectPersonId ?? null, detail: { ...(op.detail ?? {}), ...extra, reason } }),
    ).catch(() => undefined);
    throw err;
  }
}
