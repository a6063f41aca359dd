// Access-Request: who is this, and what do they get? Remembered or school-owned devices by MAC
// authentication; one-time portal tokens and vouchers by PAP or CHAP; users by PAP against
// their password hash. Every accept carries the role's policy compiled for the NAS's vendor.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { EncodableAttribute } from 'radius';
import { verifyPassword } from '../../security/password.js';
import type { AttemptLimiter } from '../../store/attempts.js';
import type { DeviceDirectory } from '../../store/device-directory.js';
import { parseMac } from '../../store/mac.js';
import type { NasClient } from '../../store/nas.js';
import { TOKEN_PREFIX, type TokenStore } from '../../store/tokens.js';
import { normalizeUsername, type User, type UserStore } from '../../store/users.js';
import { normalizeVoucherCode, type VoucherStore } from '../../store/vouchers.js';
import { decryptPap } from '../auth/pap.js';
import { chapMatches } from '../auth/chap.js';
import { encryptMppeKey, verifyMschapV2, type MschapV2Result } from '../auth/mschapv2.js';
import type { AdmissionOptions, Admit } from '../../enforcement/admission.js';
import type { LoginClass } from '../class-attribute.js';
import { Attr, Code } from '../packet.js';
import type { RadiusRequest } from '../request.js';
import type { Handler, Reply } from './types.js';

const CALL_CHECK = 10;
const MICROSOFT = 311;
const MS_CHAP_CHALLENGE = 11;
const MS_CHAP2_RESPONSE = 25;
const VOUCHER_SHAPE = /^[A-Z0-9]{10}$/;

export interface AccessDependencies {
  users: Pick<UserStore, 'get'>;
  devices: Pick<DeviceDirectory, 'get'>;
  tokens: Pick<TokenStore, 'peek' | 'consume'>;
  vouchers: Pick<VoucherStore, 'redeem'>;
  admit: Admit;
  attempts: AttemptLimiter;
  /** Ends sessions the device limit evicts ("evict oldest"); runs after the reply. */
  evict: (sessionIds: string[]) => void;
  now: () => number;
}

interface AcceptOptions extends AdmissionOptions {
  extra?: EncodableAttribute[];
}

export function reject(message: string): Reply {
  return { code: Code.AccessReject, attributes: [['Reply-Message', message]] };
}

/** RFC 2548 §2.4.2: the salt's high bit is set, and each salt in a packet is unique. */
function randomSalt(index: number): Buffer {
  const salt = randomBytes(2);
  salt[0] = 0x80 | ((salt[0]! & 0x7e) | index);
  return salt;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function createAccessHandler(deps: AccessDependencies): Handler {
  async function accept(nas: NasClient, login: LoginClass, options: AcceptOptions = {}): Promise<Reply> {
    const { decision, attributes } = await deps.admit(nas.vendor, login, options);
    if (!decision.accept) return reject(decision.message);
    if (decision.evict.length > 0) deps.evict(decision.evict.map((session) => session.id));
    return { code: Code.AccessAccept, attributes: [...attributes, ...(options.extra ?? [])] };
  }

  /** The account checks shared by every password method: rate limit, status, expiry. */
  async function account(typed: string, check: (user: User) => Promise<boolean> | boolean): Promise<{ user: User } | { refused: Reply }> {
    let username: string;
    try {
      username = normalizeUsername(typed.includes('\\') ? typed.slice(typed.lastIndexOf('\\') + 1) : typed);
    } catch {
      return { refused: reject('Invalid username or password') };
    }
    if (!(await deps.attempts.allow(username))) return { refused: reject('Too many attempts; wait a minute and try again') };
    const user = await deps.users.get(username);
    if (!user || !(await check(user))) return { refused: reject('Invalid username or password') };
    if (user.status === 'disabled') return { refused: reject('This account is disabled; ask the school administrator') };
    if (user.expiresAt !== undefined && Date.parse(user.expiresAt) <= deps.now()) return { refused: reject('This account has expired; ask the school administrator') };
    return { user };
  }

  function acceptUser(nas: NasClient, user: User, mac: string | undefined, extra: EncodableAttribute[] = []): Promise<Reply> {
    const school = user.school ?? nas.school;
    return accept(nas, { kind: 'user', subject: user.username, role: user.role, ...(school ? { school } : {}) }, { validUntil: user.expiresAt ? Date.parse(user.expiresAt) : undefined, extra, mac });
  }

  async function byMac(nas: NasClient, mac: string): Promise<Reply> {
    const device = await deps.devices.get(mac);
    if (!device) return reject('This device is not registered; sign in on the portal');
    const school = device.school ?? nas.school;
    // A device that belongs to someone counts against that person's quotas and devices.
    const login: LoginClass = device.user ? { kind: 'user', subject: device.user, role: device.role } : { kind: 'device', subject: mac, role: device.role };
    return accept(nas, { ...login, ...(school ? { school } : {}) }, { validUntil: device.until ? Date.parse(device.until) : undefined, mac });
  }

  async function byToken(nas: NasClient, username: string, mac: string | undefined, proves: (secret: string) => boolean): Promise<Reply | undefined> {
    const token = await deps.tokens.peek(username);
    if (!token) return undefined;
    if (!proves(token.password)) return reject('Invalid or expired login token');
    // Bound to the device and NAS the portal saw (an AP that did not name them binds nothing).
    if ((token.mac && token.mac !== mac) || (token.nas && token.nas !== nas.address)) return reject('This login token belongs to another device');
    if (!(await deps.tokens.consume(username))) return reject('Invalid or expired login token');
    const school = token.school ?? nas.school;
    return accept(nas, { kind: token.user ? 'user' : 'token', subject: token.user ?? username, role: token.role, ...(school ? { school } : {}) }, { mac });
  }

  async function byVoucher(nas: NasClient, typed: string, mac: string | undefined, proves: (secret: string) => boolean): Promise<Reply | undefined> {
    const code = normalizeVoucherCode(typed);
    if (!VOUCHER_SHAPE.test(code) || !(proves(code) || proves(code.toLowerCase()) || proves(typed))) return undefined;
    if (!mac) return reject('A voucher needs the device address (Calling-Station-Id)');
    const redemption = await deps.vouchers.redeem(code, mac);
    if (!redemption.ok) {
      if (redemption.reason === 'unknown') return undefined;
      return reject(redemption.reason === 'used-up' ? 'This voucher has been used on all its devices' : 'This voucher has expired');
    }
    const school = redemption.voucher.school ?? nas.school;
    return accept(nas, { kind: 'voucher', subject: code, role: redemption.voucher.role, ...(school ? { school } : {}) }, { validUntil: deps.now() + redemption.secondsLeft * 1000, mac });
  }

  async function byPassword(nas: NasClient, typed: string, password: string, mac: string | undefined): Promise<Reply> {
    const found = await account(typed, (user) => verifyPassword(password, user.passwordHash));
    return 'refused' in found ? found.refused : acceptUser(nas, found.user, mac);
  }

  async function byMschapV2(nas: NasClient, request: RadiusRequest, typed: string, challenge: Buffer, response: Buffer, mac: string | undefined): Promise<Reply> {
    let result: MschapV2Result = { ok: false };
    const found = await account(typed, (user) => {
      if (!user.ntHash) return false;
      result = verifyMschapV2(response, challenge, typed, Buffer.from(user.ntHash, 'hex'));
      return result.ok;
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

  function macAuthentication(request: RadiusRequest, userName: string): { mac?: string; refused?: string } | undefined {
    const calling = parseMac(request.string(Attr.CallingStationId));
    const named = parseMac(userName);
    const callCheck = request.integer(Attr.ServiceType) === CALL_CHECK;
    if (!callCheck && !named) return undefined;
    // Anyone can type a MAC into a login form: a User-Name naming a MAC is only believed when it
    // is the MAC the access point itself saw.
    if (named && calling && named !== calling) return { refused: 'The device address does not match' };
    if (!callCheck && !calling) return { refused: 'The device address does not match' };
    const mac = calling ?? named;
    return mac ? { mac } : { refused: 'No device address in the request' };
  }

  return async ({ request, nas }) => {
    const userName = request.string(Attr.UserName) ?? '';
    const mac = macAuthentication(request, userName);
    if (mac) return mac.mac ? byMac(nas, mac.mac) : reject(mac.refused!);
    const deviceMac = parseMac(request.string(Attr.CallingStationId));

    const hidden = request.raw(Attr.UserPassword);
    if (hidden) {
      const password = decryptPap(hidden, nas.secret, request.frame.authenticator);
      if (password === undefined) return reject('Malformed password');
      const proves = (secret: string) => sameText(secret, password);
      if (userName.startsWith(TOKEN_PREFIX)) return (await byToken(nas, userName, deviceMac, proves)) ?? reject('Invalid or expired login token');
      return (await byVoucher(nas, userName, deviceMac, proves)) ?? byPassword(nas, userName, password, deviceMac);
    }

    const msResponse = request.vendor(MICROSOFT, MS_CHAP2_RESPONSE);
    const msChallenge = request.vendor(MICROSOFT, MS_CHAP_CHALLENGE);
    if (msResponse && msChallenge) return byMschapV2(nas, request, userName, msChallenge, msResponse, deviceMac);

    const chap = request.raw(Attr.ChapPassword);
    if (chap) {
      const challenge = request.raw(Attr.ChapChallenge) ?? request.frame.authenticator;
      const proves = (secret: string) => chapMatches(chap, challenge, secret);
      if (userName.startsWith(TOKEN_PREFIX)) return (await byToken(nas, userName, deviceMac, proves)) ?? reject('Invalid or expired login token');
      // Users' passwords are kept only as hashes, which CHAP cannot be checked against.
      return (await byVoucher(nas, userName, deviceMac, proves)) ?? reject('CHAP login works only with portal tokens and vouchers; use the portal or PAP');
    }
    return reject('No credentials in the request');
  };
}
