// Access-Request: who is this, and what do they get? Remembered or school-owned devices by MAC
// authentication; one-time portal tokens and vouchers by PAP or CHAP; users by PAP against
// their password hash. Every accept carries the role's policy compiled for the NAS's vendor;
// every answer carries the record the authentication log prints (reason codes in
// docs/operations.md). EAP is not spoken yet: an EAP conversation is refused outright.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { EncodableAttribute } from 'radius';
import { checkPassword, PasswordBusyError, RADIUS_LANE } from '../../security/password.js';
import type { AttemptLimiter } from '../../store/attempts.js';
import type { DeviceDirectory } from '../../store/device-directory.js';
import type { NasClient } from '../../store/nas.js';
import { TOKEN_PREFIX, type LoginToken, type TokenStore } from '../../store/tokens.js';
import { normalizeUsername, type User, type UserStore } from '../../store/users.js';
import { normalizeVoucherCode, type VoucherStore } from '../../store/vouchers.js';
import { decryptPap } from '../auth/pap.js';
import { chapMatches } from '../auth/chap.js';
import { encryptMppeKey, verifyMschapV2, type MschapV2Result } from '../auth/mschapv2.js';
import type { AdmissionOptions, Admit } from '../../enforcement/admission.js';
import type { LoginClass } from '../../radius-wire/class-attribute.js';
import { Attr, Code } from '../../radius-wire/packet.js';
import type { RadiusRequest } from '../../radius-wire/request.js';
import { requestIdentity } from '../transport.js';
import { parseMac } from '../../store/mac.js';
import { createMacAuthentication } from './mac-auth.js';
import { admissionReply, reject, type Who } from './replies.js';
import type { Drop, Handler, Reply } from './types.js';

const MICROSOFT = 311;
const MS_CHAP_CHALLENGE = 11;
const MS_CHAP2_RESPONSE = 25;
const VOUCHER_SHAPE = /^[A-Z0-9]{10}$/;
const EAP_FAILURE = 4;
/** An unknown user's MS-CHAPv2 response is checked against this, so both take the same work. */
const DUMMY_NT_HASH = Buffer.alloc(16);

/** The request's identity (transport.ts requestIdentity), hashed only by the steps that record it. */
type Identity = () => string;

export interface AccessDependencies {
  users: Pick<UserStore, 'get'>;
  devices: Pick<DeviceDirectory, 'find' | 'loaded' | 'get'>;
  tokens: Pick<TokenStore, 'peek' | 'consume'>;
  vouchers: Pick<VoucherStore, 'redeem'>;
  admit: Admit;
  attempts: AttemptLimiter;
  /** Ends sessions the device limit evicts ("evict oldest"); runs after the reply. */
  evict: (sessionIds: string[]) => void;
  now: () => number;
  /** Remembers the device of a portal token that asked for it; never throws. */
  remember?: (token: LoginToken, nas: NasClient) => Promise<void>;
}

interface AcceptOptions extends Pick<AdmissionOptions, 'validUntil' | 'mac'> {
  extra?: EncodableAttribute[];
}

/**
 * RFC 3579 §2.6.3: an EAP conversation ends in Access-Reject carrying EAP-Failure (code 4, the
 * Identifier of the peer's last EAP packet). Accepting it instead would leave the supplicant
 * unauthorised and a WPA2-Enterprise AP with no keys.
 */
function eapNotSupported(eap: Buffer): Reply {
  return { code: Code.AccessReject, attributes: [[Attr.EapMessage, Buffer.from([EAP_FAILURE, eap[1] ?? 0, 0, 4])]], log: { reason: 'eap-not-supported', message: 'EAP not supported', method: 'eap' } };
}

/** RFC 2548 §2.4.2: the salt's high bit is set, and each salt in a packet is unique. */
function randomSalt(index: number): Buffer {
  const salt = randomBytes(2);
  salt[0] = 0x80 | ((salt[0]! & 0x7e) | index);
  return salt;
}

/** `compute` run at most once, and only when first asked for. */
function once<T>(compute: () => T): () => T {
  let value: { result: T } | undefined;
  return () => (value ??= { result: compute() }).result;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function createAccessHandler(deps: AccessDependencies): Handler {
  const macAuthentication = createMacAuthentication({
    devices: deps.devices,
    // Spelled out rather than spread: this runs for every accept.
    admit: (nas, login, options) => deps.admit(nas.vendor, login, { validUntil: options.validUntil, mac: options.mac, issuer: nas.address, wire: true }),
    evict: deps.evict,
  });

  /** At once when admission needs nothing from Redis, else a promise. */
  function accept(nas: NasClient, login: LoginClass, options: AcceptOptions = {}): Reply | Promise<Reply> {
    const { extra } = options;
    const log = { ...(login.kind === 'user' ? { user: login.subject } : {}), role: login.role, school: login.school, reason: '' };
    const admitted = deps.admit(nas.vendor, login, { validUntil: options.validUntil, mac: options.mac, issuer: nas.address, wire: true });
    return admitted instanceof Promise ? admitted.then((done) => admissionReply(done, log, extra, deps.evict)) : admissionReply(admitted, log, extra, deps.evict);
  }

  /**
   * The account checks shared by every password method: rate limit, password, status, expiry.
   * The attempt is counted before the check (so parallel guesses cannot all be checked) and
   * given back when the password was right: only failures use up the minute's allowance.
   * `check` gets undefined for an unknown user and must do the same work as for a known one.
   */
  async function account(typed: string, identity: Identity, check: (user: User | undefined) => Promise<boolean> | boolean): Promise<{ user: User } | { refused: Reply }> {
    let username: string;
    try {
      username = normalizeUsername(typed.includes('\\') ? typed.slice(typed.lastIndexOf('\\') + 1) : typed);
    } catch {
      return { refused: reject('invalid-username', 'Invalid username or password') };
    }
    if (!(await deps.attempts.allow(username, identity()))) return { refused: reject('rate-limited', 'Too many attempts; wait a minute and try again', { user: username }) };
    const user = await deps.users.get(username);
    let matches: boolean;
    try {
      matches = await check(user);
    } catch (error) {
      await deps.attempts.giveBack(username, identity());
      throw error;
    }
    if (!user || !matches) return { refused: reject(user ? 'bad-password' : 'unknown-user', 'Invalid username or password', { user: username }) };
    await deps.attempts.giveBack(username, identity());
    const who: Who = { user: username, role: user.role, school: user.school };
    if (user.status === 'disabled') return { refused: reject('account-disabled', 'This account is disabled; ask the school administrator', who) };
    if (user.expiresAt !== undefined && Date.parse(user.expiresAt) <= deps.now()) return { refused: reject('account-expired', 'This account has expired; ask the school administrator', who) };
    return { user };
  }

  function acceptUser(nas: NasClient, user: User, mac: string | undefined, extra?: EncodableAttribute[]): Reply | Promise<Reply> {
    const school = user.school ?? nas.school;
    return accept(nas, { kind: 'user', subject: user.username, role: user.role, ...(school ? { school } : {}) }, { validUntil: user.expiresAt ? Date.parse(user.expiresAt) : undefined, extra, mac });
  }

  async function byToken(nas: NasClient, username: string, mac: string | undefined, identity: Identity, proves: (secret: string) => boolean): Promise<Reply | undefined> {
    const token = await deps.tokens.peek(username);
    if (!token) return undefined;
    if (!proves(token.password)) return reject('bad-token-password', 'Invalid or expired login token');
    // Bound to the device and NAS the portal saw (an AP that did not name them binds nothing).
    if ((token.mac && token.mac !== mac) || (token.nas && token.nas !== nas.address)) return reject('token-other-device', 'This login token belongs to another device');
    // A retransmission of the consuming request (at another worker or instance) gets the same accept.
    const consumed = await deps.tokens.consume(username, identity());
    if (consumed === 'used') return reject('token-used', 'Invalid or expired login token');
    // The AP has presented the token from the MAC the portal was given: only now may the portal's
    // "remember this device" apply.
    if (consumed === 'consumed' && token.rememberFor && token.mac && deps.remember) await deps.remember(token, nas);
    const school = token.school ?? nas.school;
    return accept(nas, { kind: token.user ? 'user' : 'token', subject: token.user ?? username, role: token.role, ...(school ? { school } : {}) }, { mac, validUntil: token.until ? Number(token.until) : undefined });
  }

  async function byVoucher(nas: NasClient, typed: string, mac: string | undefined, proves: (secret: string) => boolean): Promise<Reply | undefined> {
    const code = normalizeVoucherCode(typed);
    if (!VOUCHER_SHAPE.test(code) || !(proves(code) || proves(code.toLowerCase()) || proves(typed))) return undefined;
    if (!mac) return reject('voucher-without-mac', 'A voucher needs the device address (Calling-Station-Id)');
    const redemption = await deps.vouchers.redeem(code, mac);
    if (!redemption.ok) {
      if (redemption.reason === 'unknown') return undefined;
      if (redemption.reason === 'revoked') return reject('voucher-revoked', 'This voucher has been revoked');
      return redemption.reason === 'used-up'
        ? reject('voucher-used-up', 'This voucher has been used on all its devices')
        : reject('voucher-expired', 'This voucher has expired');
    }
    const school = redemption.voucher.school ?? nas.school;
    return accept(nas, { kind: 'voucher', subject: code, role: redemption.voucher.role, ...(school ? { school } : {}) }, { validUntil: deps.now() + redemption.secondsLeft * 1000, mac });
  }

  async function byPassword(nas: NasClient, typed: string, password: string, mac: string | undefined, identity: Identity): Promise<Reply> {
    const found = await account(typed, identity, (user) => checkPassword(password, user?.passwordHash, RADIUS_LANE));
    return 'refused' in found ? found.refused : acceptUser(nas, found.user, mac);
  }

  async function byMschapV2(nas: NasClient, request: RadiusRequest, typed: string, challenge: Buffer, response: Buffer, mac: string | undefined, identity: Identity): Promise<Reply> {
    let result: MschapV2Result = { ok: false };
    const found = await account(typed, identity, (user) => {
      result = verifyMschapV2(response, challenge, typed, user?.ntHash ? Buffer.from(user.ntHash, 'hex') : DUMMY_NT_HASH);
      return user?.ntHash !== undefined && result.ok;
    });
    if ('refused' in found) {
      // MS-CHAP-Error (RFC 2548 §2.1.5): 691 = authentication failure, no retry.
      found.refused.attributes.push(['Vendor-Specific', MICROSOFT, [['MS-CHAP-Error', `${String.fromCharCode(response[0] ?? 0)}E=691 R=0 V=3`]]]);
      return found.refused;
    }
    const { success, keys } = result;
    const authenticator = request.frame.authenticator;
    return acceptUser(nas, found.user, mac, [['Vendor-Specific', MICROSOFT, [
      ['MS-CHAP2-Success', success!],
      ['MS-MPPE-Recv-Key', encryptMppeKey(keys!.receive, nas.secret, authenticator, randomSalt(0))],
      ['MS-MPPE-Send-Key', encryptMppeKey(keys!.send, nas.secret, authenticator, randomSalt(1))],
      ['MS-MPPE-Encryption-Policy', 1],
      ['MS-MPPE-Encryption-Types', 6],
    ]]]);
  }

  async function decide(request: RadiusRequest, nas: NasClient, userName: string, deviceMac: string | undefined, identity: Identity): Promise<Reply> {
    const hidden = request.raw(Attr.UserPassword);
    if (hidden) {
      const password = decryptPap(hidden, nas.secret, request.frame.authenticator);
      if (password === undefined) return reject('malformed-password', 'Malformed password');
      const proves = (secret: string) => sameText(secret, password);
      if (userName.startsWith(TOKEN_PREFIX)) return (await byToken(nas, userName, deviceMac, identity, proves)) ?? reject('unknown-token', 'Invalid or expired login token');
      return (await byVoucher(nas, userName, deviceMac, proves)) ?? byPassword(nas, userName, password, deviceMac, identity);
    }

    const msResponse = request.vendor(MICROSOFT, MS_CHAP2_RESPONSE);
    const msChallenge = request.vendor(MICROSOFT, MS_CHAP_CHALLENGE);
    if (msResponse && msChallenge) return byMschapV2(nas, request, userName, msChallenge, msResponse, deviceMac, identity);

    const chap = request.raw(Attr.ChapPassword);
    if (chap) {
      const challenge = request.raw(Attr.ChapChallenge) ?? request.frame.authenticator;
      const proves = (secret: string) => chapMatches(chap, challenge, secret);
      if (userName.startsWith(TOKEN_PREFIX)) return (await byToken(nas, userName, deviceMac, identity, proves)) ?? reject('unknown-token', 'Invalid or expired login token');
      // Users' passwords are kept only as hashes, which CHAP cannot be checked against.
      return (await byVoucher(nas, userName, deviceMac, proves)) ?? reject('chap-for-user', 'CHAP login works only with portal tokens and vouchers; use the portal or PAP');
    }
    return reject('no-credentials', 'No credentials in the request');
  }

  /** Every other method: passwords, tokens, vouchers; always through Redis. */
  async function byCredentials(request: RadiusRequest, nas: NasClient, userName: string, deviceMac: string | undefined, address: string): Promise<Reply | Drop> {
    let reply: Reply;
    try {
      reply = await decide(request, nas, userName, deviceMac, once(() => requestIdentity(address, request.frame)));
    } catch (error) {
      // The RADIUS lane of password checks is full: no answer, so the AP retries or fails over.
      if (error instanceof PasswordBusyError) return { drop: 'password-busy', log: { reason: 'password-busy', method: methodOf(request) } };
      throw error;
    }
    return { ...reply, log: { method: methodOf(request), ...reply.log! } };
  }

  // Not async: a remembered device's answer is returned as it is, and the transport sends it
  // within the datagram's own event.
  return ({ request, nas, peer }) => {
    const eap = request.raw(Attr.EapMessage);
    if (eap) return eapNotSupported(eap);
    const userName = request.string(Attr.UserName) ?? '';
    // Parsed afresh each time (~0.1 µs): cheaper than a remembered parse's cold lookup, at any number of devices.
    const deviceMac = parseMac(request.string(Attr.CallingStationId));
    return macAuthentication(request, nas, parseMac(userName), deviceMac) ?? byCredentials(request, nas, userName, deviceMac, peer.address);
  };
}

function methodOf(request: RadiusRequest): string {
  if (request.has(Attr.UserPassword)) return 'pap';
  if (request.vendor(MICROSOFT, MS_CHAP2_RESPONSE)) return 'mschapv2';
  return request.has(Attr.ChapPassword) ? 'chap' : 'none';
}
