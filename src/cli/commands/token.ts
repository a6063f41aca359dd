// REST API tokens from the command line: made for a console account, printed once, listed
// without their secrets, revoked by id.
import { tokenExpiry } from '../../services/tokens.js';
import { table } from '../output.js';
import { str, type Command } from '../command.js';

export const tokenCommands: Command[] = [
  {
    name: 'token create',
    usage: '<username> [--name <label>] [--expires 90d|2027-06-30|never]',
    summary: 'Create a REST API token acting as a console account (default expiry 90 days); it is printed once and kept only as a hash. --json gives {"id","token"}.',
    options: { name: { type: 'string' }, expires: { type: 'string' } },
    positionals: 1,
    async run({ services, principal }, input) {
      const expiresAt = tokenExpiry(str(input, 'expires'));
      const created = await services.tokens.create(principal, {
        username: input.positionals[0]!,
        ...(str(input, 'name') === undefined ? {} : { name: str(input, 'name')! }),
        ...(expiresAt === undefined ? {} : { expiresAt }),
      });
      const until = created.expiresAt ? `expires ${created.expiresAt}` : 'never expires';
      return {
        json: { id: created.id, token: created.token },
        text: `API token ${created.id} for ${created.owner} (${until}); shown once, keep it safe:\n${created.token}`,
      };
    },
  },
  {
    name: 'token list',
    usage: '[--user <username>]',
    summary: 'List REST API tokens (never their secrets): owner, name, created, expires, last used.',
    options: { user: { type: 'string' } },
    positionals: 0,
    async run({ services, principal }, input) {
      const tokens = await services.tokens.list(principal, str(input, 'user') === undefined ? {} : { user: str(input, 'user')! });
      return {
        json: tokens,
        text: table(['ID', 'OWNER', 'NAME', 'CREATED', 'EXPIRES', 'LAST USED'], tokens.map((t) => [t.id, t.owner, t.name, t.createdAt.slice(0, 19), t.expiresAt?.slice(0, 19) ?? 'never', t.lastUsedAt?.slice(0, 19)])),
      };
    },
  },
  {
    name: 'token revoke',
    usage: '<id>',
    summary: 'Revoke a REST API token: its next request is refused (401).',
    positionals: 1,
    async run({ services, principal }, input) {
      const token = await services.tokens.revoke(principal, input.positionals[0]!);
      return { json: token, text: `API token ${token.id} of ${token.owner} revoked` };
    },
  },
];
