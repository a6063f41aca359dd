// Every Redis key name Mektep uses, and their limits. User-supplied parts are URI-encoded so a
// name containing ':' can never reach into another key's space.
import { createHash } from 'node:crypto';

const PREFIX = 'mk:';
const part = (value: string): string => encodeURIComponent(value);

export const keys = {
  /** Layout version of everything below; see schema.ts. */
  schemaVersion: `${PREFIX}schema`,
  /** Cookie-signing secret generated on first start when SESSION_SECRET is unset. */
  sessionSecret: `${PREFIX}secret:session`,
  /** Append-only audit stream. */
  audit: `${PREFIX}audit`,
  /** Pub/sub channel on which every write announces what changed. */
  changes: `${PREFIX}changes`,

  school: (id: string) => `${PREFIX}school:${part(id)}`,
  schools: `${PREFIX}schools`,

  nas: (address: string) => `${PREFIX}nas:${part(address)}`,
  nasAll: `${PREFIX}nas-all`,

  user: (username: string) => `${PREFIX}user:${part(username)}`,
  users: `${PREFIX}users`,
  usersOfSchool: (school: string) => `${PREFIX}users-of:${part(school)}`,

  /** Console accounts (management identities), apart from Wi-Fi users. */
  account: (username: string) => `${PREFIX}account:${part(username)}`,
  accounts: `${PREFIX}accounts`,
  accountsOfSchool: (school: string) => `${PREFIX}accounts-of:${part(school)}`,

  device: (mac: string) => `${PREFIX}device:${part(mac)}`,
  devices: `${PREFIX}devices`,
  devicesOfSchool: (school: string) => `${PREFIX}devices-of:${part(school)}`,

  /** One-time RADIUS credential minted by the portal. */
  token: (username: string) => `${PREFIX}token:${part(username)}`,
  voucher: (code: string) => `${PREFIX}voucher:${part(code)}`,
  voucherDevices: (code: string) => `${PREFIX}voucher-devices:${part(code)}`,
  vouchers: `${PREFIX}vouchers`,
  /** A batch of vouchers (note, who, when), the codes in it, and every batch id. */
  voucherBatch: (id: string) => `${PREFIX}voucher-batch:${part(id)}`,
  voucherBatchCodes: (id: string) => `${PREFIX}voucher-batch-codes:${part(id)}`,
  voucherBatches: `${PREFIX}voucher-batches`,
  /** Held by the instance running the minute's voucher sweep (expired and revoked vouchers' sessions). */
  voucherSweepLock: `${PREFIX}lock:voucher-sweep`,

  /** Failed-or-not password checks of a user in the current minute (hashing is costly). */
  authAttempts: (username: string) => `${PREFIX}auth-attempts:${part(username)}`,
  /** The user and count one Access-Request's check got (request = digest of its datagram and source), for
   * DUPLICATE_WINDOW_MS: a copy at another worker counts nothing for that user. */
  authAttemptOf: (request: string) => `${PREFIX}auth-attempt-of:${part(request)}`,

  /** A live session, by "<nas>|<Acct-Session-Id>". */
  session: (id: string) => `${PREFIX}session:${part(id)}`,
  sessions: `${PREFIX}sessions`,
  /** Layout 1 only (schema.ts migrates it): replaced by sessionsOfAp. */
  sessionsOfNas: (nas: string) => `${PREFIX}sessions-of-nas:${part(nas)}`,
  /** Sessions an access point reported: a NAS record, the AP's address and its NAS-Identifier when sent (then only there). */
  sessionsOfAp: (nas: string, ap: string, nasIdentifier?: string) =>
    `${PREFIX}sessions-of-ap:${part(nas)}:${part(ap)}${nasIdentifier === undefined ? '' : `:${part(nasIdentifier)}`}`,
  /** The NAS-Identifier sets (sessionsOfAp with one) an access point's sessions are in: its Accounting-On without one closes them too. */
  apIdentifiers: (nas: string, ap: string) => `${PREFIX}ap-identifiers:${part(nas)}:${part(ap)}`,
  /** Octets of a session already added to usage; outlives the session so a re-sent total adds nothing. */
  sessionCounted: (id: string) => `${PREFIX}session-counted:${part(id)}`,
  /** Held while one instance closes an access point's sessions after its Accounting-On/Off. */
  accountingOnLock: (nas: string, ap: string, nasIdentifier?: string) =>
    `${PREFIX}lock:accounting-on:${part(nas)}:${part(ap)}${nasIdentifier === undefined ? '' : `:${part(nasIdentifier)}`}`,
  sessionsOfUser: (username: string) => `${PREFIX}sessions-of-user:${part(username)}`,
  sessionsOfSchool: (school: string) => `${PREFIX}sessions-of-school:${part(school)}`,
  /** Layout before issue 12's 1 KB: one set per MAC, and two string keys per address (then sessionAddress, now sessionAddressBlock); only left by the sessions written with them. */
  sessionsOfMac: (mac: string) => `${PREFIX}sessions-of-mac:${part(mac)}`,
  sessionByIp: (nas: string, ip: string) => `${PREFIX}session-ip:${part(nas)}:${part(ip)}`,
  /** Layouts 4 and 5 (schema.ts layout 6 moves it into sessionAddressBlock and sessionAddressAnyBlock): a client address's live sessions, NAS record → session id, '*' → the NAS that wrote last when several did. */
  sessionAddress: (ip: string) => `${PREFIX}addr:${part(ip)}`,
  /** A NAS record's live sessions in a block of client addresses (an IPv4 /26; session-names.ts addressSlot): '<host>' → the session id after '<NAS record>|' (the key names the NAS). Per NAS: schools share private ranges, and one hash per block for all of them would grow with the schools. */
  sessionAddressBlock: (nas: string, block: string) => `${PREFIX}ips:${part(nas)}:${part(block)}`,
  /** The any-NAS answer for a block of client addresses: '<host>' → the session of the NAS that reported the address last (at most 64 fields however many NASes share the range). */
  sessionAddressAnyBlock: (block: string) => `${PREFIX}ips-any:${part(block)}`,
  /** Bytes a user moved in a day ("2026-11-25") or month ("2026-11") of the school's calendar. */
  usage: (username: string, period: string) => `${PREFIX}usage:${part(username)}:${period}`,
  /** Finished sessions (Stop records), for usage reports. */
  sessionLog: `${PREFIX}session-log`,

  /** Failed portal logins of a username or a device in the current window, and its lock. */
  loginFailures: (kind: string, id: string) => `${PREFIX}login-failures:${kind}:${part(id)}`,
  loginLock: (kind: string, id: string) => `${PREFIX}login-lock:${kind}:${part(id)}`,
  /** Layout before sessionAddress: a live session by client IP alone (last NAS to report wins). */
  sessionByIpAny: (ip: string) => `${PREFIX}session-ip-any:${part(ip)}`,
  /** A forgotten person (a username or a MAC, hashed: the marker must not name them), while their NAS may still send accounting (forget.ts). */
  forgotten: (person: string) => `${PREFIX}forgotten:${createHash('sha256').update(person).digest('hex')}`,

  /** Held by the instance running the minute's schedule sweep. */
  scheduleSweepLock: `${PREFIX}lock:schedule-sweep`,
  /** Held by the instance ending a session for its quota: a record seen by two instances ends it once. */
  quotaEndLock: (session: string) => `${PREFIX}lock:quota-end:${part(session)}`,
  /** Retention periods (docs/deployment.md), and the lock of the instance trimming by them. */
  retention: `${PREFIX}retention`,
  retentionLock: `${PREFIX}lock:retention`,

  roles: `${PREFIX}roles`,
  /** A role's global policy, or a school's override of it. */
  policy: (role: string, school?: string) => (school === undefined ? `${PREFIX}policy:${part(role)}` : `${PREFIX}policy:${part(role)}@${part(school)}`),

  /** Content filter (docs/content.md): a profile, or a school's override of it, and their ids. */
  contentProfile: (name: string, school?: string) => (school === undefined ? `${PREFIX}content-profile:${part(name)}` : `${PREFIX}content-profile:${part(name)}@${part(school)}`),
  contentProfiles: `${PREFIX}content-profiles`,
  /** A category list: its metadata, its names (compressed chunks of one generation), all of them. */
  contentCategory: (name: string) => `${PREFIX}content-category:${part(name)}`,
  contentCategoryChunks: (name: string, generation: string) => `${PREFIX}content-chunks:${part(name)}:${part(generation)}`,
  contentCategories: `${PREFIX}content-categories`,
  /** Network (CIDR) → school and profile, for clients without a session. */
  contentNetworks: `${PREFIX}content-networks`,
  /** REST API tokens (hash of the secret only), all of them and an account's. */
  apiToken: (id: string) => `${PREFIX}api-token:${part(id)}`,
  apiTokens: `${PREFIX}api-tokens`,
  apiTokensOf: (username: string) => `${PREFIX}api-tokens-of:${part(username)}`,
  /** Prefix of a web scope's rate-limit counters ("portal", "console"; @fastify/rate-limit's Redis store). */
  webRateLimit: (scope: string) => `${PREFIX}web-rate:${part(scope)}:`,
  /** A console sign-in session (random id from the cookie), and the ids of an account's sessions. */
  consoleSession: (id: string) => `${PREFIX}console-session:${part(id)}`,
  consoleSessionsOf: (username: string) => `${PREFIX}console-sessions-of:${part(username)}`,
  /** Prefix of the REST API's rate-limit counters (@fastify/rate-limit's Redis store). */
  apiRateLimit: `${PREFIX}api-rate:`,
  /** Pub/sub: a session's address started, changed or stopped (the DNS filter listens). */
  sessionAnnouncements: `${PREFIX}session-announcements`,
  /** Dashboard figures of one UTC hour ("2026-12-01T09"), a school's or the region's (stats.ts). */
  statsHour: (school: string | undefined, hour: string) => (school === undefined ? `${PREFIX}stats-region:${hour}` : `${PREFIX}stats:${part(school)}:${hour}`),
  /** Bytes per user in a day of the school's calendar, for the dashboard's top users. */
  statsTopUsers: (school: string, day: string) => `${PREFIX}stats-top:${part(school)}:${day}`,
  /** Guest requests (docs/guests.md): one request, a school's by creation time, the approved by end,
   * a device's pending one, a denied device's pause, the request counters, a school's settings. */
  guestRequest: (id: string) => `${PREFIX}guest:${part(id)}`,
  guestsOfSchool: (school: string) => `${PREFIX}guests-of:${part(school)}`,
  guestsApproved: `${PREFIX}guests-approved`,
  guestPending: (mac: string, nas: string) => `${PREFIX}guest-pending:${part(mac)}:${part(nas)}`,
  guestDenied: (mac: string) => `${PREFIX}guest-denied:${part(mac)}`,
  /** A device's approved request at a NAS, until the approval ends (the portal goes straight on). */
  guestApprovedOf: (mac: string, nas: string) => `${PREFIX}guest-approved-of:${part(mac)}:${part(nas)}`,
  guestAsked: (kind: 'device' | 'school', id: string) => `${PREFIX}guest-asked:${kind}:${part(id)}`,
  guestSettings: (school: string) => `${PREFIX}guest-settings:${part(school)}`,
  /** Held by the instance ending approvals that ran out. */
  guestSweepLock: `${PREFIX}lock:guest-sweep`,
  /** When each NAS record last sent RADIUS traffic (epoch ms by address), written at most once a minute per NAS. */
  nasLastSeen: `${PREFIX}nas-last-seen`,
  /** Lesson focus (docs/content.md): one focus, and the ids of those running; a school's student groups. */
  focus: (id: string) => `${PREFIX}focus:${part(id)}`,
  focuses: `${PREFIX}focuses`,
  group: (school: string, name: string) => `${PREFIX}group:${part(school)}:${part(name)}`,
  groupsOfSchool: (school: string) => `${PREFIX}groups-of:${part(school)}`,
  /** Site requests from the block page: one request, a school's, a device's count this hour. */
  siteRequest: (id: string) => `${PREFIX}site-request:${part(id)}`,
  siteRequestsOfSchool: (school: string) => `${PREFIX}site-requests-of:${part(school)}`,
  siteRequestsAsked: (ip: string) => `${PREFIX}site-requests-asked:${part(ip)}`,
  /** Names a teacher allowed at a school until a time ("<scope>|<name>" → epoch ms), and the schools with any. */
  contentGranted: (school: string) => `${PREFIX}content-granted:${part(school)}`,
  contentGrantedSchools: `${PREFIX}content-granted-schools`,
  /** Per-school DNS query log (off by default): school → retention days, and a school's stream. */
  queryLogSettings: `${PREFIX}query-log-settings`,
  queryLog: (school: string) => `${PREFIX}query-log:${part(school)}`,
} as const;

/** RFC 5080 §2.2.2: how long a RADIUS request is remembered, so a retransmission gets the same answer. */
export const DUPLICATE_WINDOW_MS = 5000;

/** Roughly how many audit entries are kept (XADD MAXLEN ~). */
export const AUDIT_MAX_ENTRIES = 200_000;
