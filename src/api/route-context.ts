/** What every schedules router shares: its dependencies and who is calling. */
import type { Request, Response } from 'express';
import type { CalendarLookup } from '../domain/calendar';
import type { Clock } from '../domain/clock';
import type { ScheduleId } from '../domain/definition';
import { requireHost, requireScope, type Authenticator, type Principal, type Scope } from './auth';
import type { CalendarRoutesDeps } from './calendar-routes';
import type { DefinitionWriter } from './definition-writer';
import { idFromPath, waitAppliedFrom } from './request-parts';
import type { LocalSchedules, ScheduleDirectory } from './schedule-directory';

export interface ScheduleRoutesDeps {
  directory: ScheduleDirectory;
  writer: DefinitionWriter;
  local: LocalSchedules;
  /** Without one, every caller may do everything (auth off). */
  authenticator?: Authenticator;
  /** The exclusion calendars: /v1/calendars, and the names definitions may exclude. Without them no calendar exists. */
  calendars?: CalendarRoutesDeps;
  /** For the `?wait=applied` poll; the system clock by default. */
  clock?: Clock;
}

export interface RouteContext extends ScheduleRoutesDeps {
  clock: Clock;
  /** The calendars' lookup (none found without calendars). */
  calendarLookup: CalendarLookup;
}

export interface Caller {
  principal: Principal;
  /** The caller's Authorization header travels with forwarded reads, so the owner checks the same token. */
  authorization: string | undefined;
}

/** Set by the authentication middleware in front of every schedules router. */
export function callerOf(req: Request, res: Response): Caller {
  return { principal: res.locals.principal as Principal, authorization: req.headers.authorization };
}

/** The caller and the schedule of a request on .../{host}/{name}, once allowed to `scope` it. */
export function targetOf(req: Request, res: Response, scope: Scope): { caller: Caller; id: ScheduleId; waitApplied: boolean } {
  const caller = callerOf(req, res);
  requireScope(caller.principal, scope);
  const waitApplied = scope === 'schedules:write' && waitAppliedFrom(req);
  const id = idFromPath(req);
  requireHost(caller.principal, id);
  return { caller, id, waitApplied };
}
