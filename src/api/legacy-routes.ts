/** light-scheduler's API: `POST /schedulers` with INSERT, UPDATE, DELETE, and `GET /schedulers`. */
import { Router } from 'express';
import { definitionBody } from '../domain/definition-body';
import { requireHost, requireScope } from './auth';
import { HttpError } from './http-error';
import { optionalIdPart, validated, waitAppliedFrom } from './request-parts';
import { callerOf, type RouteContext } from './route-context';
import type { ScheduleView } from './schedule-view';
import { answerWrite } from './write-answer';

/** Most schedules GET /schedulers returns (it has no paging, like light-scheduler's). */
const MAX_LEGACY_LIST = 10_000;

export function legacyRoutes({ directory, writer, clock, calendarLookup }: RouteContext): Router {
  const router = Router();

  router.post('/schedulers', async (req, res) => {
    const caller = callerOf(req, res);
    requireScope(caller.principal, 'schedules:write');
    const waitApplied = waitAppliedFrom(req);
    const { id, action } = validated(req.body, calendarLookup);
    requireHost(caller.principal, id);
    const exists = (await directory.find(id, caller.authorization)) !== undefined;
    if (action === 'INSERT' && exists) throw new HttpError(409, 'already_exists', `schedule ${id} already exists; use UPDATE`, { id });
    if (action !== 'INSERT' && !exists) throw new HttpError(404, 'not_found', `schedule ${id} does not exist`, { id });
    const receipt = await writer.write(id, action === 'DELETE' ? null : req.body);
    await answerWrite(res, receipt, { waitApplied, deleted: action === 'DELETE', authorization: caller.authorization }, directory, clock);
  });

  // An array of its TaskDefinitions, as they were written; partial results are flagged in headers.
  router.get('/schedulers', async (req, res) => {
    const caller = callerOf(req, res);
    requireScope(caller.principal, 'schedules:read');
    const host = optionalIdPart(req, 'host');
    const name = optionalIdPart(req, 'name');
    const prefix = host === undefined ? '' : name === undefined ? `${host}/` : `${host}/${name}`;
    const items: ScheduleView[] = [];
    let partial = false;
    const missing = new Set<number>();
    let cursor: string | undefined;
    do {
      const page = await directory.list(prefix, cursor, 1_000, caller.authorization);
      items.push(...page.items.filter((item) => name === undefined || item.name === name));
      partial ||= page.partial;
      page.missingPartitions.forEach((partition) => missing.add(partition));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && items.length < MAX_LEGACY_LIST);
    if (partial) {
      res.setHeader('punctual-partial', 'true');
      res.setHeader('punctual-missing-partitions', [...missing].sort((a, b) => a - b).join(','));
    }
    res.json(items.slice(0, MAX_LEGACY_LIST).map((item) => definitionBody(item.definition)));
  });

  return router;
}
