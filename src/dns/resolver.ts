// One DNS query, from bytes to bytes: who asks (address → session → role → profile, all in
// memory), what the profile decides for the name (policy/content.ts, the same code as
// `mektep content check`), and the answer: the upstream's, a SafeSearch CNAME with the
// target's addresses, the block page's address, or NXDOMAIN for the DoH canary. Never throws:
// a failure inside becomes SERVFAIL, an unreadable query is dropped and counted.
import type { Logger } from 'pino';
import { decideContent, ruleLabel, type CategoryLookup, type ContentDecision, type FocusRule, type FocusSubject } from '../policy/content.js';
import type { ContentNetwork } from '../store/content-networks.js';
import type { Asker, ProfileResolver } from '../store/content-resolver.js';
import { unmapIp } from '../store/address.js';
import type { QueryLogRecord } from '../store/query-log.js';
import type { AnswerCache, CachedAnswer } from './cache.js';
import type { ClientDirectory, ClientEntry } from './clients.js';
import { decodeQuery, encodeReply, RCODE, truncated, type Answer, type Query, type Reply } from './codec.js';
import { decisionText } from './query-log.js';

/** Short, so that unblocking a site reaches clients soon. */
const BLOCK_TTL_SECONDS = 30;
const REWRITE_TTL_SECONDS = 60;

export interface DnsCounters {
  query(profile: string, action: string): void;
  blocked(profile: string, category: string): void;
  dropped(reason: string): void;
  upstreamFailed(): void;
}

export interface ResolverDeps {
  clients: Pick<ClientDirectory, 'who'>;
  network: (ip: string) => ContentNetwork | undefined;
  profiles: Pick<ProfileResolver, 'choose'>;
  /** The lesson focus covering who asks (policy/content.ts focusOf), if any. */
  focus: (subject: FocusSubject) => FocusRule | undefined;
  /** Names a teacher granted this device for now (site requests): its focus's, else its user's. */
  granted: (who: ClientEntry | undefined, focus: FocusRule | undefined) => ReadonlySet<string> | undefined;
  /** The school's query log, when an admin turned it on (dns/query-log.ts). */
  record: (school: string | undefined, record: QueryLogRecord) => void;
  lookup: CategoryLookup;
  cache: Pick<AnswerCache, 'lookup'>;
  blockAddresses: { v4?: string; v6?: string };
  allow(client: string): boolean;
  counters: DnsCounters;
  log: Logger;
}

function blockReply(query: Query, addresses: ResolverDeps['blockAddresses']): Reply {
  // No block page address known: say the name does not exist.
  if (!addresses.v4 && !addresses.v6) return { rcode: RCODE.NXDOMAIN };
  const { name, type } = query.question;
  const address = type === 'A' ? addresses.v4 : type === 'AAAA' ? addresses.v6 : undefined;
  // Other types (and AAAA without a v6 page) get an empty answer, so clients fall back to A.
  return { rcode: RCODE.NOERROR, answers: address ? [{ type, name, ttl: BLOCK_TTL_SECONDS, class: 'IN', data: address } as Answer] : [] };
}

export interface Explained {
  decision: ContentDecision;
  profile: string;
  who: ClientEntry | undefined;
}

/** Who asks and what the filter decides for one name: the resolver's own steps, for the block page. */
export function createExplainer(deps: Pick<ResolverDeps, 'clients' | 'network' | 'profiles' | 'focus' | 'granted' | 'lookup'>) {
  return async (ip: string, name: string): Promise<Explained> => {
    const who = await deps.clients.who(ip);
    const asker: Asker = who ? { ...who, via: 'session' } : { via: 'unknown' };
    const choice = await deps.profiles.choose(asker, who ? undefined : deps.network(ip));
    const bar = who?.session?.indexOf('|') ?? -1;
    const focus = who ? deps.focus({ user: who.user, role: who.role, school: who.school, nas: bar > 0 ? who.session!.slice(0, bar) : undefined }) : undefined;
    return { decision: decideContent(name, choice.compiled, deps.lookup, focus, deps.granted(who, focus)), profile: choice.compiled.name, who };
  };
}

export function createResolver(deps: ResolverDeps) {
  const { cache, counters, log } = deps;

  function reply(query: Query, decision: ContentDecision): Reply | Promise<Reply> {
    const { question } = query;
    switch (decision.action) {
      case 'nxdomain':
        return { rcode: RCODE.NXDOMAIN };
      case 'block':
        return blockReply(query, deps.blockAddresses);
      case 'rewrite': {
        const cname = { type: 'CNAME', name: question.name, ttl: REWRITE_TTL_SECONDS, class: 'IN', data: decision.target } as Answer;
        if (question.type === 'CNAME') return { rcode: RCODE.NOERROR, answers: [cname] };
        const withTarget = (target: CachedAnswer): Reply => ({ rcode: target.rcode, answers: [cname, ...target.answers], authorities: target.authorities });
        const target = cache.lookup({ name: decision.target, type: question.type, class: 'IN' });
        return target instanceof Promise ? target.then(withTarget) : withTarget(target);
      }
      case 'allow':
        return cache.lookup(question);
    }
  }

  // Both steps are in memory once warm; a promise only on a first sight or after a change.
  function chooseFor(ip: string, who: ClientEntry | undefined) {
    const asker: Asker = who ? { ...who, via: 'session' } : { via: 'unknown' };
    return deps.profiles.choose(asker, who ? undefined : deps.network(ip));
  }

  // The session id is "<nas>|<Acct-Session-Id>": the access point a device is on, for focus by NAS.
  function focusFor(who: ClientEntry | undefined): FocusRule | undefined {
    if (!who) return undefined;
    const bar = who.session?.indexOf('|') ?? -1;
    return deps.focus({ user: who.user, role: who.role, school: who.school, nas: bar > 0 ? who.session!.slice(0, bar) : undefined });
  }

  return async function answer(message: Buffer, peer: string, over: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    const ip = unmapIp(peer);
    if (!deps.allow(ip)) {
      counters.dropped('rate-limit');
      return undefined;
    }
    const query = decodeQuery(message);
    if (typeof query === 'string') {
      counters.dropped(query);
      return undefined;
    }
    let bytes: Buffer;
    try {
      if ((query.question.class ?? 'IN') !== 'IN') {
        bytes = encodeReply(query, { rcode: RCODE.REFUSED });
      } else {
        const asked = deps.clients.who(ip);
        const who = asked instanceof Promise ? await asked : asked;
        const pending = chooseFor(ip, who);
        const choice = pending instanceof Promise ? await pending : pending;
        const profile = choice.compiled.name;
        const focus = focusFor(who);
        const decision = decideContent(query.question.name, choice.compiled, deps.lookup, focus, deps.granted(who, focus));
        counters.query(profile, decision.action);
        if (who?.school) deps.record(who.school, { ip, domain: query.question.name.toLowerCase(), decision: decisionText(decision), ...(who.user ? { user: who.user } : {}) });
        if (decision.action === 'block') {
          counters.blocked(profile, ruleLabel(decision));
          // Names only at debug: which sites a pupil asks for is nobody's business by default.
          log.debug({ client: ip, name: query.question.name, profile, rule: ruleLabel(decision) }, 'dns blocked');
        }
        const answered = reply(query, decision);
        bytes = encodeReply(query, answered instanceof Promise ? await answered : answered);
      }
    } catch (error) {
      counters.upstreamFailed();
      log.debug({ err: error, name: query.question.name }, 'dns answer failed: SERVFAIL');
      bytes = encodeReply(query, { rcode: RCODE.SERVFAIL });
    }
    // RFC 1035 §4.2.1 / RFC 6891 §7: over UDP, no more than the client can take.
    if (over === 'udp' && bytes.length > query.udpSize) return truncated(query, bytes.readUInt16BE(2) & 0xf);
    return bytes;
  };
}

export type Resolver = ReturnType<typeof createResolver>;
