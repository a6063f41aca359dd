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

/** How long start-up waits for the device directory: well inside Fastify's 10 s plugin timeout. */
const DEVICES_AWAITED_MS = 3000;

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
    const devices = createDeviceDirectory({
      lookup: store.devices, bulk: app.managementStore.devices, feed: app.changes, log: app.log.child({ component: 'devices' }), onError: failed('device reload'),
    });
    app.addHook('onClose', async () => devices.close());
    // A school's directory is in memory before the first request. A region's (400,000 devices,
    // longer than Fastify's plugin timeout) goes on loading in the background: /readyz and
    // Status-Server say not ready, and MAC authentication asks Redis for a device not yet in memory.
    if (!(await devices.loadedWithin(DEVICES_AWAITED_MS))) log.info({ devices: devices.size() }, 'device directory still loading: not ready until it is complete');
    const coa = createCoaClient();
    app.addHook('onClose', async () => coa.close());
    const classes = createClassSigner(app.sessionSecret);
    const admit = createAdmission({ policies, schools, sessions: store.sessions, classes, now: Date.now });
    app.decorate('services', { policies, schools, devices, admit, classes, enforcer: createEnforcer({ store, coa, admit, log }), failed });
  },
  { name: 'services', dependencies: ['redis'] },
);
