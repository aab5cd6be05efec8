/**
 * `/v1/calendars`: the exclusion calendars, shared by every tenant. Anyone who may read schedules
 * reads them; changing one takes schedules:write and a token for all hosts, since every tenant's
 * schedules may use it. A write is answered once this node's table has it, so a schedule that
 * names the calendar next is accepted by this node.
 */
import { Router } from 'express';
import type { Calendar, CalendarLookup } from '../domain/calendar';
import { validateCalendar } from '../domain/calendar-validation';
import { requireScope, type Principal } from './auth';
import type { CalendarWriter } from './calendar-writer';
import { HttpError } from './http-error';
import { callerOf } from './route-context';

/** How long a write waits for this node's table to read it back. */
const TABLE_WAIT_MS = 10_000;

/** The node's calendar table as the routes use it. */
export interface CalendarReader {
  lookup: CalendarLookup;
  list(): Calendar[];
  reached(partition: number, offset: number, timeoutMs: number): Promise<void>;
}

export interface CalendarRoutesDeps {
  table: CalendarReader;
  writer: CalendarWriter;
}

export function calendarRoutes({ table, writer }: CalendarRoutesDeps): Router {
  const router = Router();

  router.get('/v1/calendars', (req, res) => {
    requireScope(callerOf(req, res).principal, 'schedules:read');
    res.json({ calendars: table.list() });
  });

  router.get('/v1/calendars/:name', (req, res) => {
    requireScope(callerOf(req, res).principal, 'schedules:read');
    res.json(existing(table, req.params.name));
  });

  router.put('/v1/calendars/:name', async (req, res) => {
    requireAllHosts(callerOf(req, res).principal);
    const result = validateCalendar(req.params.name, req.body);
    if (!result.ok) throw new HttpError(400, 'invalid_calendar', `${result.field}: ${result.reason}`, { field: result.field, reason: result.reason });
    const receipt = await writer.write(result.calendar.name, result.calendar);
    await table.reached(receipt.partition, receipt.offset + 1, TABLE_WAIT_MS);
    res.json({ ...receipt, calendar: result.calendar });
  });

  router.delete('/v1/calendars/:name', async (req, res) => {
    requireAllHosts(callerOf(req, res).principal);
    const { name } = existing(table, req.params.name);
    const receipt = await writer.write(name, null);
    await table.reached(receipt.partition, receipt.offset + 1, TABLE_WAIT_MS);
    res.json({ ...receipt, deleted: true });
  });

  return router;
}

function existing(table: CalendarReader, name: string): Calendar {
  const calendar = table.lookup(name);
  if (!calendar) throw new HttpError(404, 'not_found', `calendar ${name} does not exist`, { name });
  return calendar;
}

function requireAllHosts(principal: Principal): void {
  requireScope(principal, 'schedules:write');
  if (principal.hosts !== '*') throw new HttpError(403, 'forbidden', 'calendars are shared by every tenant: changing one takes a token for all hosts ("*")');
}
