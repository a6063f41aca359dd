// Every route module of /api/v1, in the order the OpenAPI document lists them.
import type { RouteModule } from '../context.js';
import { accountRoutes } from './accounts.js';
import { auditRoutes } from './audit.js';
import { contentRoutes } from './content.js';
import { dashboardRoutes } from './dashboard.js';
import { deviceRoutes } from './devices.js';
import { focusRoutes } from './focus.js';
import { guestRoutes } from './guests.js';
import { nasRoutes } from './nas.js';
import { policyRoutes } from './policies.js';
import { schoolRoutes } from './schools.js';
import { sessionRoutes } from './sessions.js';
import { siteRequestRoutes } from './site-requests.js';
import { tokenRoutes } from './tokens.js';
import { userRoutes } from './users.js';
import { voucherRoutes } from './vouchers.js';

export const routeModules: RouteModule[] = [schoolRoutes, nasRoutes, userRoutes, policyRoutes, sessionRoutes, deviceRoutes, guestRoutes, siteRequestRoutes, voucherRoutes, focusRoutes, auditRoutes, accountRoutes, tokenRoutes, contentRoutes, dashboardRoutes];
