// What RADIUS, the portal and the console share above the store: cached policies and schools
// (kept current by the change feed), admission, and live enforcement with its CoA socket.
import fp from 'fastify-plugin';
import type { Logger } from 'pino';
import { createAdmission, type Admit } from '../enforcement/admission.js';
import { createEnforcer, type Enforcer } from '../enforcement/enforcer.js';
import { createClassSigner, type ClassSigner } from '../radius-wire/class-attribute.js';
import { createCoaClient } from '../radius-wire/coa-client.js';
import { createDeviceDirectory, type DeviceDirectory } from '../store/device-directory.js';
import { createPolicyCache, type PolicyCache } from '../store/policy-cache.js';
import { createSchoolDirectory, type SchoolDirectory } from '../store/school-directory.js';

export interface Services {
  policies: PolicyCache;
  schools: SchoolDirectory;
  devices: DeviceDirectory;
  admit: Admit;
  /** Signs and verifies the Class of every accept (RADIUS accounting checks it). */
  classes: ClassSigner;
  enforcer: Enforcer;
  /** Reports a failed background task without stopping anything. */
  failed: (what: string) => (error: unknown) => void;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

export default fp(
  async (app) => {
    const log = app.log.child({ component: 'enforcement' }) as Logger;
    const { store } = app;
    const failed = (what: string) => (error: unknown) => log.warn({ err: error }, `${what} failed`);
    const policies = createPolicyCache(store.policies, app.changes);
    const schools = await createSchoolDirectory(store.schools, app.changes, failed('school reload'));
    const devices = await createDeviceDirectory(store.devices, app.changes, failed('device reload'));
    const coa = createCoaClient();
    app.addHook('onClose', async () => coa.close());
    const classes = createClassSigner(app.sessionSecret);
    const admit = createAdmission({ policies, schools, sessions: store.sessions, classes, now: Date.now });
    app.decorate('services', { policies, schools, devices, admit, classes, enforcer: createEnforcer({ store, coa, admit, log }), failed });
  },
  { name: 'services', dependencies: ['redis'] },
);
