/** What the owning node answers for the others: its own partitions' schedules (lists, lookups, histories). */
import { Router } from 'express';
import { mayTouch, requireHost, requireScope } from './auth';
import { HttpError } from './http-error';
import { idFromPath, numberFrom } from './request-parts';
import { callerOf, type RouteContext } from './route-context';
import { INTERNAL_PATH, type LocalPage } from './schedule-directory';
import { scheduleView } from './schedule-view';
import { MAX_HISTORY_LIMIT, ownedHistory, ownedView, type OwnedAnswer } from './owned-answers';

export function internalRoutes({ local }: RouteContext): Router {
  const router = Router();

  // Asked by the node that lists: this node's own partitions only.
  router.get(INTERNAL_PATH, async (req, res) => {
    const { principal } = callerOf(req, res);
    requireScope(principal, 'schedules:read');
    const prefix = typeof req.query.prefix === 'string' ? req.query.prefix : '';
    const after = typeof req.query.after === 'string' ? req.query.after : undefined;
    const limit = numberFrom(req, 'limit', 100, 1_000);
    // Another tenant's schedules are left out before the limit applies, so the page is still full.
    const { partitions, states } = await local.listLocal(prefix, after, limit, (state) => mayTouch(principal, state.definition.host));
    const page: LocalPage = { partitions, items: states.map(scheduleView) };
    res.json(page);
  });

  // Asked by other nodes: answered only by the owner of the schedule's partition (421 otherwise).
  router.get(`${INTERNAL_PATH}/:host/:name`, async (req, res) => {
    const { principal } = callerOf(req, res);
    requireScope(principal, 'schedules:read');
    const id = idFromPath(req);
    requireHost(principal, id);
    res.json(ownedOr421(id, await ownedView(local, id), `schedule ${id} does not exist`));
  });

  router.get(`${INTERNAL_PATH}/:host/:name/history`, async (req, res) => {
    const { principal } = callerOf(req, res);
    requireScope(principal, 'schedules:read');
    const id = idFromPath(req);
    requireHost(principal, id);
    const limit = numberFrom(req, 'limit', 20, MAX_HISTORY_LIMIT);
    res.json(ownedOr421(id, await ownedHistory(local, id, limit), `schedule ${id} does not exist and has no history`));
  });

  return router;
}

function ownedOr421<T>(id: string, answer: OwnedAnswer<T>, unknown: string): T {
  if (!answer.owned) throw new HttpError(421, 'not_owner', `this node does not own the partition of ${id}`);
  if (answer.value === undefined) throw new HttpError(404, 'not_found', unknown, { id });
  return answer.value;
}
