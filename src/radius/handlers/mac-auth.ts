// MAC authentication (User-Name is a MAC, or Service-Type Call-Check): a remembered or
// school-owned device is let in by the address its access point saw. The hot path of a
// morning's reconnect storm, so a device already in memory is answered without a promise.
import type { Admission, AdmissionOptions } from '../../enforcement/admission.js';
import type { LoginClass } from '../../radius-wire/class-attribute.js';
import { Attr } from '../../radius-wire/packet.js';
import type { RadiusRequest } from '../../radius-wire/request.js';
import type { DeviceDirectory, KnownDevice } from '../../store/device-directory.js';
import type { NasClient } from '../../store/nas.js';
import { admissionReply, reject } from './replies.js';
import type { AuthRecord, Reply } from './types.js';

const CALL_CHECK = 10;

export interface MacAuthDependencies {
  devices: Pick<DeviceDirectory, 'find' | 'loaded' | 'get'>;
  /** Admission (enforcement/admission.ts): at once when Redis has nothing to add. */
  admit: (nas: NasClient, login: LoginClass, options: Pick<AdmissionOptions, 'validUntil' | 'mac'>) => Admission | Promise<Admission>;
  evict: (sessionIds: string[]) => void;
}

export function createMacAuthentication({ devices, admit, evict }: MacAuthDependencies) {
  /** Every MAC decision's record names the method and the device first. */
  const refused = (mac: string | undefined, reply: Reply): Reply => ({ code: reply.code, attributes: reply.attributes, log: { method: 'mac', ...(mac ? { mac } : {}), ...reply.log! } });

  function deviceReply(nas: NasClient, mac: string, device: KnownDevice | undefined): Reply | Promise<Reply> {
    if (!device) return refused(mac, reject('unknown-device', 'This device is not registered; sign in on the portal'));
    // A device that belongs to someone counts against that person's quotas and devices.
    const login: LoginClass = device.user ? { kind: 'user', subject: device.user, role: device.role } : { kind: 'device', subject: mac, role: device.role };
    const school = device.school ?? nas.school;
    if (school) login.school = school;
    const log: AuthRecord = { method: 'mac', mac, user: device.user, role: login.role, school: login.school, reason: '' };
    const admitted = admit(nas, login, { validUntil: device.until, mac });
    return admitted instanceof Promise ? admitted.then((done) => admissionReply(done, log, undefined, evict)) : admissionReply(admitted, log, undefined, evict);
  }

  /**
   * The reply to a MAC authentication, or undefined when the request is none (a password login).
   * `named` is the User-Name as a MAC, `calling` the Calling-Station-Id as one.
   */
  return function macAuthentication(request: RadiusRequest, nas: NasClient, named: string | undefined, calling: string | undefined): Reply | Promise<Reply> | undefined {
    if (!named && request.integer(Attr.ServiceType) !== CALL_CHECK) return undefined;
    // Anyone can type a MAC into a login form: only the MAC the access point itself saw (a
    // Calling-Station-Id that parses as one) is believed, and a User-Name naming a MAC must be it.
    if (!calling) return refused(undefined, reject('no-device-address', named ? 'The device address does not match' : 'No device address in the request'));
    if (named && named !== calling) return refused(undefined, reject('mac-mismatch', 'The device address does not match'));
    const device = devices.find(calling);
    // While the directory loads, a device not yet in memory may still be registered: ask Redis.
    if (!device && !devices.loaded()) return devices.get(calling).then((found) => deviceReply(nas, calling, found));
    return deviceReply(nas, calling, device);
  };
}
