/** The `/v1/schedules` resource API and `/v1/preview`. */
import { Router } from 'express';
import type { ScheduleDefinition } from '../domain/definition';
import { validateDefinition } from '../domain/definition-validation';
import { fireAtOf } from '../domain/jitter';
import { timelineOf, upcomingOccurrences } from '../domain/timeline';
import { requireScope } from './auth';
import { HttpError } from './http-error';
import { MAX_HISTORY_LIMIT } from './owned-answers';
import { countFrom, invalid, jsonObject, numberFrom, optionalIdPart, validated } from './request-parts';
import { callerOf, targetOf, type RouteContext } from './route-context';
import { answerWrite } from './write-answer';

export function resourceRoutes({ directory, writer, clock, calendarLookup }: RouteContext): Router {
  const router = Router();

  router.get('/v1/schedules/:host/:name/next', async (req, res) => {
    const { caller, id } = targetOf(req, res, 'schedules:read');
    const count = countFrom(req);
    const view = await directory.find(id, caller.authorization);
    if (!view) throw new HttpError(404, 'not_found', `schedule ${id} does not exist`, { id });
    // Occurrences a skip control will drop are not next; a pause moves nothing (they meet the misfire policy on resume).
    const skip = view.skipNext ?? 0;
    const upcoming = view.nextFireAt === null ? [] : upcomingOccurrences(view.definition, Date.parse(view.nextFireAt), (view.remaining ?? Infinity) + skip, count + skip, calendarLookup);
    res.json({ id, ...fireTimes(view.definition, upcoming.slice(skip)) });
  });

  // The next fire times of a definition that is not saved; host, name, action and topic may be left out.
  router.post('/v1/preview', (req, res) => {
    requireScope(callerOf(req, res).principal, 'schedules:read');
    const count = countFrom(req);
    const result = validateDefinition({ host: 'preview', name: 'preview', action: 'INSERT', topic: 'preview', ...jsonObject(req.body) }, { calendars: calendarLookup });
    if (!result.ok) throw invalid(result.field, result.reason);
    if (result.action === 'DELETE') throw invalid('action', 'a DELETE has no fire times');
    const first = timelineOf(result.definition, clock.now(), { calendars: calendarLookup }).next();
    const next = first === undefined ? [] : upcomingOccurrences(result.definition, first, result.definition.limit ?? Infinity, count, calendarLookup);
    res.json(fireTimes(result.definition, next));
  });

  router.get('/v1/schedules/:host/:name/history', async (req, res) => {
    const { caller, id } = targetOf(req, res, 'schedules:read');
    const limit = numberFrom(req, 'limit', 20, MAX_HISTORY_LIMIT);
    const page = await directory.history(id, limit, caller.authorization);
    if (!page) throw new HttpError(404, 'not_found', `schedule ${id} does not exist and has no history`, { id });
    res.json(page);
  });

  router.get('/v1/schedules/:host/:name', async (req, res) => {
    const { caller, id } = targetOf(req, res, 'schedules:read');
    const view = await directory.find(id, caller.authorization);
    if (!view) throw new HttpError(404, 'not_found', `schedule ${id} does not exist`, { id });
    res.json(view);
  });

  router.put('/v1/schedules/:host/:name', async (req, res) => {
    const { caller, id, waitApplied } = targetOf(req, res, 'schedules:write');
    const fields = jsonObject(req.body);
    for (const field of ['host', 'name'] as const) {
      if (fields[field] !== undefined && fields[field] !== req.params[field]) throw invalid(field, `${JSON.stringify(fields[field])} differs from the path`);
    }
    if (fields.action === 'DELETE') throw invalid('action', 'DELETE is not a PUT; use DELETE /v1/schedules/{host}/{name}');
    const definition = { ...fields, host: req.params.host, name: req.params.name, action: fields.action ?? 'INSERT' };
    validated(definition, calendarLookup);
    await answerWrite(res, await writer.write(id, definition), { waitApplied, deleted: false, authorization: caller.authorization }, directory, clock);
  });

  router.delete('/v1/schedules/:host/:name', async (req, res) => {
    const { caller, id, waitApplied } = targetOf(req, res, 'schedules:write');
    if ((await directory.find(id, caller.authorization)) === undefined) throw new HttpError(404, 'not_found', `schedule ${id} does not exist`, { id });
    await answerWrite(res, await writer.write(id, null), { waitApplied, deleted: true, authorization: caller.authorization }, directory, clock);
  });

  router.get('/v1/schedules', async (req, res) => {
    const caller = callerOf(req, res);
    requireScope(caller.principal, 'schedules:read');
    const host = optionalIdPart(req, 'host');
    const limit = numberFrom(req, 'limit', 100, 1_000);
    const cursor = typeof req.query.cursor === 'string' && req.query.cursor !== '' ? req.query.cursor : undefined;
    const page = await directory.list(host === undefined ? '' : `${host}/`, cursor, limit, caller.authorization);
    if (page.partial) res.setHeader('punctual-partial', 'true');
    res.json(page);
  });

  return router;
}

/** Occurrences as scheduled (after windows and calendars) and when each is emitted (plus its jitter). */
function fireTimes(definition: ScheduleDefinition, scheduled: number[]): { next: string[]; fireAt: string[] } {
  const iso = (t: number): string => new Date(t).toISOString();
  return { next: scheduled.map(iso), fireAt: scheduled.map((t) => iso(fireAtOf(definition, t))) };
}
