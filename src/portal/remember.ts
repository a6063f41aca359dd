// "Remember this device", applied when the access point confirms it: the RADIUS side calls this
// once the AP's Access-Request has presented the portal's one-time token from the MAC the token
// is bound to. The portal itself only ever saw a MAC the browser could have made up.
import type { Logger } from 'pino';
import type { DeviceStore } from '../store/devices.js';
import type { NasClient } from '../store/nas.js';
import type { LoginToken } from '../store/tokens.js';

export function createRememberConfirmed(devices: Pick<DeviceStore, 'remember'>, log: Logger, now: () => number) {
  return async function rememberConfirmed(token: LoginToken, nas: NasClient): Promise<void> {
    const until = new Date(now() + Number(token.rememberFor) * 1000).toISOString();
    const who = { mac: token.mac, user: token.user, role: token.role, school: token.school, nas: nas.address };
    try {
      const input = { mac: token.mac, role: token.role, until, ...(token.user ? { user: token.user } : {}), ...(token.school ? { school: token.school } : {}) };
      const outcome = await devices.remember(input, `portal:${token.user ?? token.username}`, nas.address);
      log.info({ ...who, until, outcome }, outcome === 'remembered' ? 'device remembered' : 'device not remembered: an existing registration is kept');
    } catch (error) {
      log.error({ ...who, err: error }, 'remembering a device failed');
    }
  };
}
