// Who acts. Every service action takes a principal first and checks its scope once, against the
// school of what it touches: a region admin (and the CLI, as root) everywhere; a school admin and a
// teacher only in their school; the portal and a NAS only on behalf of one device.
import { ForbiddenError, NotFoundError } from '../errors.js';

export type Principal =
  | { kind: 'root'; actor: string }
  | { kind: 'region-admin'; username: string; source?: string }
  | { kind: 'school-admin'; username: string; school: string; source?: string }
  | { kind: 'teacher'; username: string; school: string; source?: string }
  | { kind: 'portal'; mac?: string; ip?: string; nas?: string }
  | { kind: 'nas'; address: string; ip?: string };

export type PrincipalKind = Principal['kind'];

/** Everyone who manages: the kinds the console, the API and the CLI act as. */
export const MANAGERS: PrincipalKind[] = ['root', 'region-admin', 'school-admin'];
export const REGION_WIDE: PrincipalKind[] = ['root', 'region-admin'];

/** The audit log's "who": cli:<os user>, account:<username>, portal:<mac>, nas:<address>. */
export function auditActor(principal: Principal): string {
  switch (principal.kind) {
    case 'root': return principal.actor;
    case 'region-admin':
    case 'school-admin':
    case 'teacher': return `account:${principal.username}`;
    case 'portal': return `portal:${principal.mac ?? principal.ip ?? 'unknown'}`;
    case 'nas': return `nas:${principal.address}`;
  }
}

/** Where the principal acted from (an IP address), when known. */
export function sourceOf(principal: Principal): string | undefined {
  switch (principal.kind) {
    case 'root': return undefined;
    case 'portal':
    case 'nas': return principal.ip;
    default: return principal.source;
  }
}

/** The audit fields every service write carries. */
export function auditOf(principal: Principal): { actor: string; source?: string } {
  const source = sourceOf(principal);
  return { actor: auditActor(principal), ...(source ? { source } : {}) };
}

/** The one school a principal is confined to; undefined for the region-wide ones. */
export function confinedTo(principal: Principal): string | undefined {
  return principal.kind === 'school-admin' || principal.kind === 'teacher' ? principal.school : undefined;
}

function describe(principal: Principal): string {
  switch (principal.kind) {
    case 'root': return 'the command line';
    case 'region-admin': return 'a region admin';
    case 'school-admin': return 'a school admin';
    case 'teacher': return 'a teacher';
    case 'portal': return 'the portal';
    case 'nas': return 'an access point';
  }
}

/** Refuses (403) unless the principal is one of `kinds`. */
export function allow(principal: Principal, kinds: PrincipalKind[], what: string): void {
  if (!kinds.includes(principal.kind)) throw new ForbiddenError(`${describe(principal)} may not ${what}`);
}

/**
 * The school a request names, checked: a confined principal gets its own school when none is
 * named and is refused (403) when another one is. Region-wide principals get what they named.
 */
export function schoolFor(principal: Principal, named: string | undefined, what: string): string | undefined {
  const own = confinedTo(principal);
  if (own === undefined) return named;
  if (named !== undefined && named !== own) throw new ForbiddenError(`${describe(principal)} of ${own} may not ${what} of another school`);
  return own;
}

/**
 * A stored thing of another school is answered like a thing that does not exist (404 with the
 * same message), so a confined principal cannot even learn that it exists.
 */
export function requireInScope<T extends { school?: string | undefined }>(principal: Principal, target: T | undefined, notFound: string): T {
  const own = confinedTo(principal);
  if (!target || (own !== undefined && target.school !== own)) throw new NotFoundError(notFound);
  return target;
}
