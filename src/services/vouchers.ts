// Vouchers: region-wide principals and school admins issue any role's vouchers (a school admin for
// their school); a teacher issues guest vouchers of a capped duration for their school and sees
// the ones they issued.
import { ForbiddenError } from '../errors.js';
import { formatDuration } from '../policy/units.js';
import type { Voucher, VoucherStore } from '../store/vouchers.js';
import { allow, auditActor, auditOf, MANAGERS, schoolFor, type Principal } from './principal.js';

/** A teacher's vouchers last at most a school day, and a class's worth at once. */
export const TEACHER_VOUCHER_MAX_SECONDS = 12 * 3600;
export const TEACHER_VOUCHER_MAX_COUNT = 60;

export interface VoucherRequest {
  role: string;
  school?: string;
  /** Seconds from the first use. */
  duration: number;
  uses: number;
  count: number;
}

export interface VoucherServiceDeps {
  vouchers: Pick<VoucherStore, 'create' | 'list'>;
}

export function createVoucherService({ vouchers }: VoucherServiceDeps) {
  return {
    async issue(principal: Principal, request: VoucherRequest): Promise<Voucher[]> {
      allow(principal, [...MANAGERS, 'teacher'], 'issue vouchers');
      if (principal.kind === 'teacher') {
        if (request.role !== 'guest') throw new ForbiddenError('a teacher issues vouchers for the guest role only');
        if (request.duration > TEACHER_VOUCHER_MAX_SECONDS) throw new ForbiddenError(`a teacher's vouchers last at most ${formatDuration(TEACHER_VOUCHER_MAX_SECONDS)}`);
        if (request.count > TEACHER_VOUCHER_MAX_COUNT) throw new ForbiddenError(`a teacher issues at most ${TEACHER_VOUCHER_MAX_COUNT} vouchers at once`);
      }
      const school = schoolFor(principal, request.school, 'issue vouchers');
      return vouchers.create({ ...request, ...(school ? { school } : {}) }, auditOf(principal));
    },

    async list(principal: Principal): Promise<Voucher[]> {
      allow(principal, [...MANAGERS, 'teacher'], 'list vouchers');
      const school = schoolFor(principal, undefined, 'list vouchers');
      const actor = auditActor(principal);
      return (await vouchers.list()).filter((voucher) => (school === undefined || voucher.school === school) && (principal.kind !== 'teacher' || voucher.createdBy === actor));
    },
  };
}

export type VoucherService = ReturnType<typeof createVoucherService>;
