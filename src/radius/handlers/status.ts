// Status-Server (RFC 5997): the NAS (or a proxy's health check) asks whether we can serve. Only
// reached with a valid Message-Authenticator (the transport checks); answered on whichever port
// it came to — and only while the instance is ready (the /readyz condition). An instance that
// cannot reach Redis answers nothing else, so it must not say "up" either.
import { Code } from '../../radius-wire/packet.js';
import type { Handler } from './types.js';

export function createStatusHandler(ready: () => Promise<boolean>): Handler {
  return async ({ listener }) => {
    if (!(await ready())) return { drop: 'not-ready' };
    return {
      code: listener === 'auth' ? Code.AccessAccept : Code.AccountingResponse,
      attributes: [['Reply-Message', 'Mektep is up']],
    };
  };
}
