// Vouchers: region-wide principals and school admins issue any role's vouchers (a school admin for
// their school); a teacher issues guest vouchers for their school, no longer than the school's
// maximum, and sees and revokes the batches they issued. Revoking ends the live sessions the
// vouchers let in.
import type { Enforcer } from '../enforcement/enforcer.js';
import { endVoucherSessions } from '../enforcement/voucher-sweeper.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { formatDuration } from '../policy/units.js';
import type { SchoolStore } from '../store/schools.js';
import type { SessionStore } from '../store/sessions.js';
import type { NewVouchers, Redemption, Voucher, VoucherBatch, VoucherStore } from '../store/vouchers.js';
import { allow, auditActor, auditOf, confinedTo, MANAGERS, schoolFor, type Principal } from './principal.js';

/** A teacher's vouchers last at most this long unless the school sets its own maximum. */
export const DEFAULT_TEACHER_VOUCHER_MAX_SECONDS = 8 * 3600;
export const TEACHER_VOUCHER_MAX_COUNT = 60;

/** What a batch is made of: the store's own shape (seconds from the first use, valid-until in epoch ms). */
export type VoucherRequest = NewVouchers;

export interface IssuedBatch {
  batch: VoucherBatch;
  vouchers: Voucher[];
}

export interface BatchSummary extends VoucherBatch {
  used: number;
  unused: number;
  revoked: number;
}

export interface VoucherServiceDeps {
  vouchers: Pick<VoucherStore, 'create' | 'list' | 'batch' | 'batches' | 'inBatch' | 'get' | 'revoke' | 'devices' | 'redeem'>;
  schools: Pick<SchoolStore, 'get'>;
  sessions: Pick<SessionStore, 'list'>;
  enforcer: Pick<Enforcer, 'disconnect'>;
}

const isBatchId = (target: string) => target.startsWith('b-');

/** The last second of a calendar day ("2026-03-12") in the school's time zone, as epoch ms. */
export function endOfDayIn(date: string, timeZone: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new ValidationError(`"${date}" is not a date`);
  const guess = Date.parse(`${date}T23:59:59Z`);
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    .formatToParts(guess).map((part) => [part.type, Number(part.value)]));
  const local = Date.UTC(parts.year!, parts.month! - 1, parts.day, parts.hour, parts.minute, parts.second);
  return guess - (local - guess);
}

export function createVoucherService({ vouchers, schools, sessions, enforcer }: VoucherServiceDeps) {
  /** A batch the principal may see: its school's (a teacher: their own); otherwise 404 as if absent. */
  async function batchInScope(principal: Principal, id: string): Promise<VoucherBatch> {
    const batch = await vouchers.batch(id);
    const own = confinedTo(principal);
    if (!batch || (own !== undefined && batch.school !== own) || (principal.kind === 'teacher' && batch.createdBy !== auditActor(principal))) {
      throw new NotFoundError(`voucher batch "${id}" does not exist`);
    }
    return batch;
  }

  return {
    async issue(principal: Principal, request: VoucherRequest): Promise<IssuedBatch> {
      allow(principal, [...MANAGERS, 'teacher'], 'issue vouchers');
      const school = schoolFor(principal, request.school, 'issue vouchers');
      if (principal.kind === 'teacher') {
        if (request.role !== 'guest') throw new ForbiddenError('a teacher issues vouchers for the guest role only');
        const max = (await schools.get(principal.school))?.voucherMax ?? DEFAULT_TEACHER_VOUCHER_MAX_SECONDS;
        if (request.duration > max) throw new ForbiddenError(`a teacher's vouchers last at most ${formatDuration(max)}`);
        if (request.count > TEACHER_VOUCHER_MAX_COUNT) throw new ForbiddenError(`a teacher issues at most ${TEACHER_VOUCHER_MAX_COUNT} vouchers at once`);
      }
      const issued = await vouchers.create({ ...request, ...(school ? { school } : {}) }, auditOf(principal));
      return { batch: (await vouchers.batch(issued[0]!.batch))!, vouchers: issued };
    },

    async list(principal: Principal): Promise<Voucher[]> {
      allow(principal, [...MANAGERS, 'teacher'], 'list vouchers');
      const school = schoolFor(principal, undefined, 'list vouchers');
      const actor = auditActor(principal);
      return (await vouchers.list()).filter((voucher) => (school === undefined || voucher.school === school) && (principal.kind !== 'teacher' || voucher.createdBy === actor));
    },

    /** Batches in scope, newest first, with how many of their codes are used, unused and revoked. */
    async batches(principal: Principal): Promise<BatchSummary[]> {
      allow(principal, [...MANAGERS, 'teacher'], 'list vouchers');
      const school = schoolFor(principal, undefined, 'list vouchers');
      const actor = auditActor(principal);
      const all = await vouchers.list();
      return (await vouchers.batches())
        .filter((batch) => (school === undefined || batch.school === school) && (principal.kind !== 'teacher' || batch.createdBy === actor))
        .map((batch) => {
          const codes = all.filter((voucher) => voucher.batch === batch.id);
          const used = codes.filter((voucher) => voucher.used > 0).length;
          return { ...batch, used, unused: codes.length - used, revoked: codes.filter((voucher) => voucher.revoked).length };
        });
    },

    /** A batch and its codes (the print sheet); 404 outside the principal's scope. */
    async batch(principal: Principal, id: string): Promise<IssuedBatch> {
      allow(principal, [...MANAGERS, 'teacher'], 'see vouchers');
      const batch = await batchInScope(principal, id);
      return { batch, vouchers: await vouchers.inBatch(id) };
    },

    /** The portal redeems a code for the device it speaks for (atomic: see the store). */
    async redeem(principal: Principal, code: string): Promise<Redemption> {
      allow(principal, ['portal'], 'redeem vouchers');
      if (principal.kind !== 'portal' || !principal.mac) throw new ForbiddenError('a voucher is redeemed for one device');
      return vouchers.redeem(code, principal.mac);
    },

    /** Revokes one code or a whole batch ("b-…"); the live sessions they let in are disconnected. */
    async revoke(principal: Principal, target: string): Promise<{ revoked: Voucher[]; disconnected: number }> {
      allow(principal, [...MANAGERS, 'teacher'], 'revoke vouchers');
      let codes: string[];
      if (isBatchId(target)) {
        await batchInScope(principal, target);
        codes = (await vouchers.inBatch(target)).map((voucher) => voucher.code);
      } else {
        const voucher = await vouchers.get(target);
        if (!voucher?.batch) throw new NotFoundError(`voucher "${target}" does not exist`);
        if (voucher.batch.startsWith('b-')) await batchInScope(principal, voucher.batch);
        else if (confinedTo(principal) !== undefined && (voucher.school !== confinedTo(principal) || (principal.kind === 'teacher' && voucher.createdBy !== auditActor(principal)))) {
          throw new NotFoundError(`voucher "${target}" does not exist`);
        }
        codes = [voucher.code];
      }
      const revoked = await vouchers.revoke(codes, auditOf(principal));
      const actor = auditActor(principal);
      const used = revoked.filter((each) => each.used > 0).map((voucher) => ({ voucher, reason: 'the voucher was revoked' }));
      const ended = await endVoucherSessions({ vouchers, sessions, disconnect: (session, reason) => enforcer.disconnect(session, reason, actor) }, used);
      return { revoked, disconnected: [...ended.values()].reduce((sum, count) => sum + count, 0) };
    },
  };
}

export type VoucherService = ReturnType<typeof createVoucherService>;
