// How the CLI tells what live enforcement did.
import type { EnforcementResult } from '../enforcement/enforcer.js';

export function enforcementReport(results: EnforcementResult[]): string {
  if (results.length === 0) return 'no live sessions affected';
  const acked = (action: string) => results.filter((r) => r.action === action && r.outcome === 'ack').length;
  const failed = results.filter((r) => r.outcome !== 'ack');
  const lines = [`${results.length} live session(s): ${acked('coa')} updated (CoA), ${acked('disconnect')} disconnected, ${failed.length} not confirmed`];
  for (const r of failed) lines.push(`  ${r.session}: ${r.action} ${r.outcome}${r.errorCause ? ` (${r.errorCause})` : ''}`);
  return lines.join('\n');
}
