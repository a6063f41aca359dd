// What a live session has left — time (session timeout, schedule, account validity) and data
// (quotas) — for the status page and the RFC 8908 API.
import type { FastifyInstance } from 'fastify';
import { loginOfSession } from '../enforcement/admission.js';
import type { Session } from '../store/sessions.js';

export interface Allowance {
  secondsLeft?: number;
  bytesLeft?: number;
}

export async function allowanceOf(app: FastifyInstance, session: Session, now = Date.now()): Promise<Allowance> {
  if (!session.role) return {};
  // Only the decision is needed here, not the vendor's attributes.
  const { decision } = await app.services.admit('generic', loginOfSession({ ...session, role: session.role }), { countDevices: false });
  if (!decision.accept) return { secondsLeft: 0, bytesLeft: 0 };
  const policy = await app.services.policies.effective(session.role, session.school);
  const elapsed = Math.floor((now - Date.parse(session.startedAt)) / 1000);
  const limits = [decision.grant.sessionTimeout, policy.sessionTimeout === undefined ? undefined : Math.max(0, policy.sessionTimeout - elapsed)]
    .filter((value): value is number => value !== undefined);
  return { ...(limits.length ? { secondsLeft: Math.min(...limits) } : {}), ...(decision.grant.dataLeft === undefined ? {} : { bytesLeft: decision.grant.dataLeft }) };
}
