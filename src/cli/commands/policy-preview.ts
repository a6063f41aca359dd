import { NotFoundError } from '../../errors.js';
import { attributesText } from '../../radius/attribute-text.js';
import type { LoginClass } from '../../radius/class-attribute.js';
import { createAddressMatcher, parseNasAddress } from '../../store/address.js';
import { parseMac } from '../../store/mac.js';
import { required, type Command } from '../command.js';

export const policyPreviewCommand: Command = {
  name: 'policy preview',
  usage: '<user-or-mac> --nas <ip>',
  summary: 'Print exactly the attributes an Access-Accept would carry for this user or device through this NAS, or why it would be refused.',
  options: { nas: { type: 'string' } },
  positionals: 1,
  async run({ store, live }, input) {
    const nasIp = required(input, 'nas');
    const all = await store.nas.list();
    const address = createAddressMatcher(all.map((nas) => parseNasAddress(nas.address)))(nasIp);
    const nas = all.find((candidate) => candidate.address === address);
    if (!nas) throw new NotFoundError(`no NAS covers ${nasIp} (see mektep nas list)`);

    const subject = input.positionals[0]!;
    const mac = parseMac(subject);
    let login: LoginClass;
    let validUntil: number | undefined;
    let refused: string | undefined;
    if (mac) {
      const device = await store.devices.get(mac);
      if (!device) throw new NotFoundError(`device ${mac} is not registered or remembered`);
      const school = device.school ?? nas.school;
      login = { ...(device.user ? { kind: 'user' as const, subject: device.user } : { kind: 'device' as const, subject: mac }), role: device.role, ...(school ? { school } : {}) };
      validUntil = device.until ? Date.parse(device.until) : undefined;
    } else {
      const user = await store.users.require(subject);
      const school = user.school ?? nas.school;
      login = { kind: 'user', subject: user.username, role: user.role, ...(school ? { school } : {}) };
      validUntil = user.expiresAt ? Date.parse(user.expiresAt) : undefined;
      if (user.status === 'disabled') refused = 'This account is disabled; ask the school administrator';
      else if (validUntil !== undefined && validUntil <= Date.now()) refused = 'This account has expired; ask the school administrator';
    }
    const { decision, attributes } = await (await live()).admit(nas.vendor, login, { validUntil, ...(mac ? { mac } : {}) });
    const message = refused ?? (decision.accept ? undefined : decision.message);
    const lines = message === undefined ? attributesText(attributes) : [{ name: 'Reply-Message', value: message }];
    const head = `${message === undefined ? 'Access-Accept' : 'Access-Reject'} for ${login.subject} (${login.role}) through ${nas.address} (${nas.vendor}):`;
    return {
      json: { nas: nas.address, vendor: nas.vendor, subject: login.subject, role: login.role, decision: message === undefined ? 'accept' : 'reject', attributes: lines },
      text: [head, ...lines.map((line) => `  ${line.name} = ${line.value}`)].join('\n'),
    };
  },
};
