/**
 * Schedule endpoints: light-scheduler's `POST /schedulers` (legacy-routes.ts), the `/v1/schedules`
 * resource API (resource-routes.ts), and the internal reads the owning node answers for the others
 * (internal-routes.ts), behind one authentication step. Validation is the one the Kafka ingest path
 * uses (domain/definition-validation.ts), so both refuse the same bodies with the same reasons.
 */
import { Router } from 'express';
import { systemClock } from '../domain/clock';
import { UNRESTRICTED } from './auth';
import { calendarRoutes } from './calendar-routes';
import { controlRoutes } from './control-routes';
import { internalRoutes } from './internal-routes';
import { legacyRoutes } from './legacy-routes';
import { resourceRoutes } from './resource-routes';
import type { ScheduleRoutesDeps } from './route-context';
import { INTERNAL_PATH } from './schedule-directory';

export type { ScheduleRoutesDeps } from './route-context';

export function scheduleRoutes(deps: ScheduleRoutesDeps): Router {
  const context = { ...deps, clock: deps.clock ?? systemClock, calendarLookup: deps.calendars?.table.lookup ?? (() => undefined) };
  const router = Router();
  router.use(['/schedulers', '/v1', INTERNAL_PATH], async (req, res, next) => {
    res.locals.principal = deps.authenticator ? await deps.authenticator.authenticate(req.headers.authorization) : UNRESTRICTED;
    next();
  });
  router.use(legacyRoutes(context), resourceRoutes(context), controlRoutes(context), internalRoutes(context));
  if (deps.calendars) router.use(calendarRoutes(deps.calendars));
  return router;
}
