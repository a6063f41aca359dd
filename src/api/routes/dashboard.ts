// The dashboard's figures (services/dashboard.ts): live sessions by role, logins and traffic per
// role per hour (24 h) and per school day (7 days), today's top users, access points with when
// each was last heard, failed logins and health. A region admin gets the region, or one school
// with ?school=; a school admin their school.
import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../context.js';
import { replies } from '../schemas.js';

const Counts = Type.Record(Type.String(), Type.Integer());
const Time = Type.String({ format: 'date-time' });
const Bucket = Type.Object({
  at: Time,
  day: Type.String({ description: 'The day in the school calendar (YYYY-MM-DD)' }),
  accepted: Counts,
  refused: Counts,
  failed: Type.Integer(),
  bytes: Type.Record(Type.String(), Type.Number(), { description: 'Bytes moved, by role' }),
}, { title: 'DashboardBucket' });

export const DashboardFigures = Type.Object({
  school: Type.Optional(Type.String()),
  timeZone: Type.String(),
  at: Time,
  live: Counts,
  roles: Type.Array(Type.String()),
  hours: Type.Array(Bucket, { description: 'The last 24 hours, oldest first' }),
  days: Type.Array(Bucket, { description: 'The last 7 days of the school calendar, oldest first' }),
  topUsers: Type.Array(Type.Object({ user: Type.String(), school: Type.String(), bytes: Type.Number() })),
  accessPoints: Type.Array(Type.Object({ address: Type.String(), name: Type.Optional(Type.String()), school: Type.Optional(Type.String()), vendor: Type.String(), lastSeen: Type.Optional(Time) })),
  accessPointCount: Type.Integer(),
  failed24h: Type.Integer(),
  health: Type.Optional(Type.Object({ redis: Type.String(), radius: Type.String() })),
}, { title: 'DashboardFigures' });

export const dashboardRoutes: RouteModule = (api, actions) => {
  api.get('/dashboard', {
    schema: {
      tags: ['dashboard'],
      summary: "The dashboard's figures, for the region or one school",
      querystring: Type.Object({ school: Type.Optional(Type.String({ maxLength: 64, description: 'A school id (a school admin gets their own)' })) }),
      response: replies({ 200: DashboardFigures }),
    },
  }, async (request) => actions.dashboard.figures(request.principal, request.query.school));
};
