// openNDS FAS, levels 0 and 1 (levels 2/3 encrypt the query with the faskey and are not read
// here). Level 0: authaction=http://gw:port/opennds_auth/, tok, clientip, gatewayname, redir.
// Level 1: hid, gatewayaddress, authdir, clientip, gatewayname, redir; the token is
// sha256(hid ‖ faskey), faskey being the NAS's UAM secret. openNDS is not RADIUS-native: the
// release itself lets the device in, so the portal has already checked the password.
import { createHash } from 'node:crypto';
import { ValidationError } from '../../errors.js';
import { compact, formFields, ip, need, url } from './common.js';
import type { PortalDialect } from './types.js';

export const openndsPortal: PortalDialect = {
  vendor: 'opennds',
  detect: (query) => (query.authaction !== undefined && query.tok !== undefined) || (query.hid !== undefined && query.gatewayaddress !== undefined),
  parse(query) {
    const level0 = query.authaction !== undefined;
    const extra: Record<string, string> = level0 ? { tok: need(query, 'tok') } : { hid: need(query, 'hid') };
    const loginUrl = level0
      ? url(query.authaction, 'authaction')
      : url(`http://${need(query, 'gatewayaddress')}/${(query.authdir ?? 'opennds_auth').replace(/[^\w-]/g, '')}/`, 'gatewayaddress');
    return compact({
      vendor: 'opennds' as const,
      nasId: query.gatewayname,
      clientIp: ip(query.clientip),
      originalUrl: query.redir,
      loginUrl,
      extra,
    });
  },
  release(context, _credentials, nas) {
    const { tok, hid } = context.extra ?? {};
    if (!tok && !nas?.uamSecret) throw new ValidationError('openNDS FAS level 1 needs the faskey as the NAS UAM secret (mektep nas set --uam-secret-stdin)');
    const token = tok ?? createHash('sha256').update(`${hid}${nas!.uamSecret}`).digest('hex');
    return { kind: 'form', method: 'GET', action: context.loginUrl!, fields: formFields({ tok: token, redir: context.originalUrl }) };
  },
};
