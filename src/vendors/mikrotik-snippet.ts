// What a MikroTik hotspot needs to use Mektep: its RADIUS client settings and a login.html
// that forwards the router's variables to the portal (MikroTik has no external-portal redirect
// of its own). The page submits a GET form, so the browser encodes the octal CHAP values.
import type { NasClient } from '../store/nas.js';
import { portalHost, type Snippet, type SnippetContext } from './snippet-types.js';

const FORWARDED = ['mac', 'ip', 'identity', 'link-login-only', 'link-orig', 'chap-id', 'chap-challenge', 'error'];
const DEFAULT_AUTH_PORT = 1812;
const DEFAULT_ACCT_PORT = 1813;

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function mikrotikLoginHtml(publicUrl: string): string {
  const fields = FORWARDED.map((name) => `<input type="hidden" name="${name}" value="$(${name})">`).join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Wi-Fi</title></head>
<body>
<form name="mektep" action="${escapeHtml(publicUrl)}/" method="get">
${fields}
<noscript><button type="submit">Continue / Жалғастыру / Продолжить</button></noscript>
</form>
<script>document.mektep.submit()</script>
</body></html>
`;
}

/** Ports other than RouterOS's defaults are named; the defaults are left out. */
function ports(authPort: number, acctPort: number): string {
  return `${authPort === DEFAULT_AUTH_PORT ? '' : ` authentication-port=${authPort}`}${acctPort === DEFAULT_ACCT_PORT ? '' : ` accounting-port=${acctPort}`}`;
}

export function mikrotikCommands(publicUrl: string, nas: Pick<NasClient, 'secret' | 'coaPort'>, radiusAddress: string, authPort = DEFAULT_AUTH_PORT, acctPort = DEFAULT_ACCT_PORT): string {
  return [
    `/radius add service=hotspot,wireless address=${radiusAddress}${ports(authPort, acctPort)} secret="${nas.secret.replace(/"/g, '\\"')}" timeout=3s require-message-auth=yes-for-request-resp`,
    `/radius incoming set accept=yes port=${nas.coaPort}`,
    '/ip hotspot profile set [find] use-radius=yes login-by=http-chap,mac radius-interim-update=5m radius-mac-format=XX:XX:XX:XX:XX:XX',
    `/ip hotspot walled-garden add dst-host=${portalHost(publicUrl)} comment=mektep-portal`,
    `/ip hotspot walled-garden ip add dst-address=${radiusAddress} action=accept comment=mektep-portal`,
    '# then upload login.html (mektep nas snippet <ip> --login-html > login.html) to the hotspot folder: /file, hotspot/login.html',
  ].join('\n');
}

export function mikrotikSnippets(context: SnippetContext): Snippet[] {
  const { publicUrl, radiusAddress, authPort, acctPort, secret, nas } = context;
  return [
    { kind: 'commands', text: mikrotikCommands(publicUrl, { secret, coaPort: nas.coaPort }, radiusAddress, authPort, acctPort) },
    { kind: 'login-html', file: 'login.html', text: mikrotikLoginHtml(publicUrl) },
  ];
}
