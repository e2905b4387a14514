// Who is acting: every service call carries one (control: AC-01). Only the authentication layer
// (sessions) and the CLI's named system actors build them.

export const ROLE_IDS = ['admin', 'officer', 'contractor_entry', 'venue', 'auditor', 'operator'] as const;
export type RoleId = (typeof ROLE_IDS)[number];

export const PERMISSIONS = [
  'person.read', 'person.write', 'person.import', 'person.merge',
  'mynumber.reveal', 'mynumber.export', 'mynumber.write',
  'dose.read', 'dose.enter', 'dose.confirm', 'dose.correct', 'dose.venue',
  'schedule.read', 'selection.run', 'statistics.read',
  'audit.read', 'audit.verify', 'account.manage', 'account.review', 'settings.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Roles that contractors and venue devices use: never given My Number, whatever the data says. */
export const EXTERNAL_ROLES: ReadonlySet<RoleId> = new Set(['contractor_entry', 'venue']);

export interface Actor {
  readonly userId: string;
  readonly loginId: string;
  readonly displayName: string;
  readonly role: RoleId;
  readonly department: string;
  readonly municipalityCode: string;
  readonly terminalId: string;
  /** Why the actor is doing this (業務目的); recorded with every audit entry. */
  readonly purpose: string;
  readonly permissions: ReadonlySet<Permission>;
}

export function isRoleId(v: string): v is RoleId {
  return (ROLE_IDS as readonly string[]).includes(v);
}

export function isPermission(v: string): v is Permission {
  return (PERMISSIONS as readonly string[]).includes(v);
}

export function withPurpose(actor: Actor, purpose: string): Actor {
  return { ...actor, purpose };
}

/**
 * The actor of a CLI job on the server console: named after the OS user, holding only the
 * permissions the job needs, so its work is checked and audited like anyone's.
 */
export function consoleActor(municipalityCode: string, permissions: readonly Permission[], purpose: string, osUser: string): Actor {
  return {
    userId: `console:${osUser}`,
    loginId: `console:${osUser}`,
    displayName: `console (${osUser})`,
    role: 'operator',
    department: 'system',
    municipalityCode,
    terminalId: 'console',
    purpose,
    permissions: new Set(permissions),
  };
}
