// Status-Server (RFC 5997): the NAS asks whether we are alive. Only reached with a valid
// Message-Authenticator (the transport checks); answered on whichever port it came to.
import { Code } from '../packet.js';
import type { Handler } from './types.js';

export const handleStatus: Handler = async ({ listener }) => ({
  code: listener === 'auth' ? Code.AccessAccept : Code.AccountingResponse,
  attributes: [['Reply-Message', 'Mektep is up']],
});
