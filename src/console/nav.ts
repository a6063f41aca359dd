// The console's menu: each page once, with who may use it. The menu shows a person only their
// pages; the services still check scope on every action (a hidden link is not a permission).
// A new page adds one line here (see docs/console.md, "Adding a console page").
import type { Messages } from '../i18n/languages.js';
import type { PrincipalKind } from '../services/principal.js';

export interface NavEntry {
  path: string;
  label: keyof Messages;
  who: PrincipalKind[];
  /** A count shown beside the label (the console plugin computes it per request). */
  badge?: NavBadge;
}

/** guestsPending: guest requests and students' site requests waiting for the viewer (one list). */
export type NavBadge = 'guestsPending';

const EVERY_ACCOUNT: PrincipalKind[] = ['region-admin', 'school-admin', 'teacher'];

export const NAV: NavEntry[] = [
  { path: '/console/', label: 'navHome', who: EVERY_ACCOUNT },
  { path: '/console/accounts', label: 'navAccounts', who: ['region-admin', 'school-admin'] },
  { path: '/console/schools', label: 'navSchools', who: ['region-admin'] },
  { path: '/console/policies', label: 'navPolicies', who: ['region-admin', 'school-admin'] },
  { path: '/console/users', label: 'navUsers', who: ['region-admin', 'school-admin'] },
  { path: '/console/nas', label: 'navNas', who: ['region-admin', 'school-admin'] },
  { path: '/console/guests', label: 'navGuests', who: EVERY_ACCOUNT, badge: 'guestsPending' },
  { path: '/console/vouchers', label: 'navVouchers', who: EVERY_ACCOUNT },
  { path: '/console/focus', label: 'navFocus', who: EVERY_ACCOUNT },
  { path: '/console/content', label: 'navContent', who: ['region-admin', 'school-admin'] },
  { path: '/console/sessions', label: 'navSessions', who: EVERY_ACCOUNT },
  { path: '/console/devices', label: 'navDevices', who: ['region-admin', 'school-admin'] },
  { path: '/console/audit', label: 'navAudit', who: ['region-admin', 'school-admin'] },
  { path: '/console/password', label: 'changeOwnPassword', who: EVERY_ACCOUNT },
];

export interface NavLink {
  href: string;
  label: string;
  current: boolean;
  badge?: number;
}

export function navFor(kind: PrincipalKind, currentPath: string, t: Messages, badges: Partial<Record<NavBadge, number>> = {}): NavLink[] {
  return NAV.filter((entry) => entry.who.includes(kind)).map((entry) => {
    const badge = entry.badge ? badges[entry.badge] : undefined;
    return {
      href: entry.path,
      label: t[entry.label],
      current: entry.path === currentPath || (entry.path !== '/console/' && currentPath.startsWith(`${entry.path}/`)),
      ...(badge ? { badge } : {}),
    };
  });
}
