// The Class attribute Mektep puts in every Access-Accept (RFC 2865 §5.25): the NAS echoes it in
// accounting, so each session is tied to who logged in, how, with which role and school.
export type LoginKind = 'user' | 'device' | 'token' | 'voucher';

export interface LoginClass {
  kind: LoginKind;
  subject: string;
  role: string;
  school?: string;
}

const PREFIX = 'mektep1';

export function formatClass(login: LoginClass): string {
  return [PREFIX, login.kind, login.subject, login.role, login.school ?? ''].map(encodeURIComponent).join('/');
}

export function parseClass(value: Buffer | undefined): LoginClass | undefined {
  if (!value) return undefined;
  const parts = value.toString('utf8').split('/');
  if (parts.length !== 5 || parts[0] !== PREFIX) return undefined;
  try {
    const [, kind, subject, role, school] = parts.map(decodeURIComponent);
    if (!['user', 'device', 'token', 'voucher'].includes(kind!) || !subject || !role) return undefined;
    return { kind: kind as LoginKind, subject, role, ...(school ? { school } : {}) };
  } catch {
    return undefined;
  }
}
