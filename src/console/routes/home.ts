// The console's first page: who is signed in, for which school, and their pages. The dashboard
// (live sessions, charts, health) grows here.
import type { FastifyInstance } from 'fastify';
import type { ConsoleKit } from '../kit.js';
import { consoleMessages } from '../render.js';

export function homeRoutes(app: FastifyInstance, kit: ConsoleKit) {
  app.get('/', async (request, reply) => {
    const { principal, account } = request.signedIn!;
    const t = consoleMessages(request);
    const schools = await kit.services.schools.list(principal);
    const school = account.school ? schools.find((candidate) => candidate.id === account.school) : undefined;
    return kit.render(request, reply, { template: 'console/home.eta', title: t.homeHeading, data: { schoolName: school?.name ?? (account.school ? account.school : t.allSchools) } });
  });
}
