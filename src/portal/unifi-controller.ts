// UniFi guests are let in by the controller, not by RADIUS: log in with the account stored on
// the NAS (`mektep nas set --controller-url … --controller-user … --controller-password-stdin`),
// then call the site's stamgr command built by the UniFi dialect.
import { ValidationError } from '../errors.js';
import type { NasClient } from '../store/nas.js';

const TIMEOUT_MS = 5000;

export async function authorizeOnController(request: { url: string; body: Record<string, unknown> }, nas: NasClient): Promise<void> {
  if (!nas.controllerUrl || !nas.controllerUser || !nas.controllerPassword) {
    throw new ValidationError('the UniFi controller account is not configured for this NAS');
  }
  const base = nas.controllerUrl.replace(/\/+$/, '');
  const login = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: nas.controllerUser, password: nas.controllerPassword }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!login.ok) throw new Error(`UniFi controller login failed: HTTP ${login.status}`);
  const cookie = login.headers.getSetCookie().map((value) => value.split(';')[0]).join('; ');
  const answer = await fetch(request.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify(request.body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!answer.ok) throw new Error(`UniFi authorize-guest failed: HTTP ${answer.status}`);
}
