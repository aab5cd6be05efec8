/**
 * Schedule endpoints: light-scheduler's `POST /schedulers`, the `/v1/schedules` resource API, and the
 * internal read the owning node answers for the others. Validation is the one the Kafka ingest path
 * uses (domain/definition-validation.ts), so both refuse the same bodies with the same reasons.
 */
import { Router, type Request, type Response } from 'express';
import { scheduleId, type ScheduleId } from '../domain/definition';
import { definitionBody } from '../domain/definition-body';
import { validateDefinition } from '../domain/definition-validation';
import { timelineOf, upcomingOccurrences } from '../domain/timeline';
import { UNRESTRICTED, mayTouch, requireHost, requireScope, type Authenticator, type Principal, type Scope } from './auth';
import type { DefinitionWriter, WriteReceipt } from './definition-writer';
import { HttpError } from './http-error';
import { INTERNAL_PATH, type LocalPage, type LocalSchedules, type ScheduleDirectory } from './schedule-directory';
import { scheduleView, type ScheduleView } from './schedule-view';

export interface ScheduleRoutesDeps {
  directory: ScheduleDirectory;
  writer: DefinitionWriter;
  local: LocalSchedules;
  /** Without one, every caller may do everything (auth off). */
  authenticator?: Authenticator;
}

const ID_PART = /^[A-Za-z0-9._:-]{1,255}$/;
/** Most schedules GET /schedulers returns (it has no paging, like light-scheduler's). */
const MAX_LEGACY_LIST = 10_000;
/** How long `?wait=applied` waits for the owning node. */
const APPLY_WAIT_MS = 10_000;

export function scheduleRoutes({ directory, writer, local, authenticator }: ScheduleRoutesDeps): Router {
  const router = Router();
  router.use(['/schedulers', '/v1', INTERNAL_PATH], async (req, res, next) => {
    res.locals.principal = authenticator ? await authenticator.authenticate(req.headers.authorization) : UNRESTRICTED;
    next();
  });
  /** The caller's Authorization header travels with forwarded reads, so the owner checks the same token. */
  const as = (req: Request, res: Response): Caller => ({ principal: res.locals.principal as Principal, authorization: req.headers.authorization });
  /** The caller and the schedule of a request on /v1/schedules/{host}/{name}, once allowed to `scope` it. */
  const target = (req: Request, res: Response, scope: Scope): { caller: Caller; id: ScheduleId; waitApplied: boolean } => {
    const caller = as(req, res);
    requireScope(caller.principal, scope);
    const waitApplied = scope === 'schedules:write' && waitAppliedFrom(req);
    const id = idFromPath(req);
    requireHost(caller.principal, id);
    return { caller, id, waitApplied };
  };

  router.post('/schedulers', async (req, res) => {
    const caller = as(req, res);
    requireScope(caller.principal, 'schedules:write');
    const waitApplied = waitAppliedFrom(req);
    const { id, action } = validated(req.body);
    requireHost(caller.principal, id);
    const exists = (await directory.find(id, caller.authorization)) !== undefined;
    if (action === 'INSERT' && exists) throw new HttpError(409, 'already_exists', `schedule ${id} already exists; use UPDATE`, { id });
    if (action !== 'INSERT' && !exists) throw new HttpError(404, 'not_found', `schedule ${id} does not exist`, { id });
    const receipt = await writer.write(id, action === 'DELETE' ? null : req.body);
    await answerWrite(res, receipt, { waitApplied, deleted: action === 'DELETE', authorization: caller.authorization });
  });

  /** `?wait=applied`: answer 200 once the owning node applied the write, 504 when it did not in time. */
  async function answerWrite(res: Response, receipt: WriteReceipt, { waitApplied, deleted, authorization }: { waitApplied: boolean; deleted: boolean; authorization: string | undefined }): Promise<void> {
    if (!waitApplied) {
      res.status(202).json(receipt);
      return;
    }
    const deadline = Date.now() + APPLY_WAIT_MS;
    while (Date.now() < deadline) {
      const view = await directory.find(receipt.id, authorization);
      if (deleted ? view === undefined : view !== undefined && view.appliedOffset >= receipt.offset) {
        res.status(200).json({ ...receipt, applied: true });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new HttpError(504, 'apply_timeout', `written to Kafka (partition ${receipt.partition}, offset ${receipt.offset}) but not applied by the owning node within ${APPLY_WAIT_MS} ms`, { ...receipt });
  }

  router.get('/v1/schedules/:host/:name/next', async (req, res) => {
    const { caller, id } = target(req, res, 'schedules:read');
    const count = countFrom(req);
    const view = await directory.find(id, caller.authorization);
    if (!view) throw new HttpError(404, 'not_found', `schedule ${id} does not exist`, { id });
    const next = view.nextFireAt === null ? [] : upcomingOccurrences(view.definition, Date.parse(view.nextFireAt), view.remaining ?? Infinity, count);
    res.json({ id, next: next.map((t) => new Date(t).toISOString()) });
  });

  // The next fire times of a definition that is not saved; host, name, action and topic may be left out.
  router.post('/v1/preview', (req, res) => {
    requireScope(as(req, res).principal, 'schedules:read');
    const count = countFrom(req);
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('(body)', 'must be a JSON object');
    const result = validateDefinition({ host: 'preview', name: 'preview', action: 'INSERT', topic: 'preview', ...body });
    if (!result.ok) throw invalid(result.field, result.reason);
    if (result.action === 'DELETE') throw invalid('action', 'a DELETE has no fire times');
    const first = timelineOf(result.definition, Date.now()).next();
    const next = first === undefined ? [] : upcomingOccurrences(result.definition, first, result.definition.limit ?? Infinity, count);
    res.json({ next: next.map((t) => new Date(t).toISOString()) });
  });

  router.get('/v1/schedules/:host/:name', async (req, res) => {
    const { caller, id } = target(req, res, 'schedules:read');
    const view = await directory.find(id, caller.authorization);
    if (!view) throw new HttpError(404, 'not_found', `schedule ${id} does not exist`, { id });
    res.json(view);
  });

  router.put('/v1/schedules/:host/:name', async (req, res) => {
    const { caller, id, waitApplied } = target(req, res, 'schedules:write');
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('(body)', 'must be a JSON object');
    const fields = body as Record<string, unknown>;
    for (const field of ['host', 'name'] as const) {
      if (fields[field] !== undefined && fields[field] !== req.params[field]) throw invalid(field, `${JSON.stringify(fields[field])} differs from the path`);
    }
    if (fields.action === 'DELETE') throw invalid('action', 'DELETE is not a PUT; use DELETE /v1/schedules/{host}/{name}');
    const definition = { ...fields, host: req.params.host, name: req.params.name, action: fields.action ?? 'INSERT' };
    validated(definition);
    await answerWrite(res, await writer.write(id, definition), { waitApplied, deleted: false, authorization: caller.authorization });
  });

  router.delete('/v1/schedules/:host/:name', async (req, res) => {
    const { caller, id, waitApplied } = target(req, res, 'schedules:write');
    if ((await directory.find(id, caller.authorization)) === undefined) throw new HttpError(404, 'not_found', `schedule ${id} does not exist`, { id });
    await answerWrite(res, await writer.write(id, null), { waitApplied, deleted: true, authorization: caller.authorization });
  });

  router.get('/v1/schedules', async (req, res) => {
    const caller = as(req, res);
    requireScope(caller.principal, 'schedules:read');
    const host = optionalIdPart(req, 'host');
    const limit = numberFrom(req, 'limit', 100, 1_000);
    const cursor = typeof req.query.cursor === 'string' && req.query.cursor !== '' ? req.query.cursor : undefined;
    const page = await directory.list(host === undefined ? '' : `${host}/`, cursor, limit, caller.authorization);
    if (page.partial) res.setHeader('punctual-partial', 'true');
    res.json(page);
  });

  // light-scheduler's list: an array of its TaskDefinitions, as they were written; partial results are flagged in headers.
  router.get('/schedulers', async (req, res) => {
    const caller = as(req, res);
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

  // Asked by the node that lists: this node's own partitions only.
  router.get(INTERNAL_PATH, async (req, res) => {
    const { principal } = as(req, res);
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
    const { principal } = as(req, res);
    requireScope(principal, 'schedules:read');
    const id = idFromPath(req);
    requireHost(principal, id);
    const found = await local.lookup(id);
    if (!found.owned) throw new HttpError(421, 'not_owner', `this node does not own the partition of ${id}`);
    if (!found.state) throw new HttpError(404, 'not_found', `schedule ${id} does not exist`, { id });
    res.json(scheduleView(found.state));
  });

  return router;
}

/** Checked before anything is written, so a bad parameter never leaves a write behind. */
function waitAppliedFrom(req: Request): boolean {
  const wait = req.query.wait;
  if (wait === undefined) return false;
  if (wait !== 'applied') throw invalid('wait', `${JSON.stringify(wait)} is not supported; use wait=applied`);
  return true;
}

interface Caller {
  principal: Principal;
  authorization: string | undefined;
}

function countFrom(req: Request): number {
  return numberFrom(req, 'count', 10, 1_000);
}

function numberFrom(req: Request, parameter: string, fallback: number, max: number): number {
  const raw = req.query[parameter] ?? String(fallback);
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(value) || value < 1 || value > max) throw invalid(parameter, `${JSON.stringify(raw)} must be a whole number from 1 to ${max}`);
  return value;
}

function optionalIdPart(req: Request, parameter: 'host' | 'name'): string | undefined {
  const raw = req.query[parameter];
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !ID_PART.test(raw)) throw invalid(parameter, `${JSON.stringify(raw)} must be 1-255 of letters, digits, . _ : -`);
  return raw;
}

function validated(body: unknown): { id: ScheduleId; action: 'INSERT' | 'UPDATE' | 'DELETE' } {
  const result = validateDefinition(body);
  if (!result.ok) throw invalid(result.field, result.reason);
  const action = (body as { action: 'INSERT' | 'UPDATE' | 'DELETE' }).action;
  return { id: result.action === 'DELETE' ? result.id : result.definition.id, action };
}

function idFromPath(req: Request): ScheduleId {
  const host = String(req.params.host);
  const name = String(req.params.name);
  if (!ID_PART.test(host)) throw invalid('host', `${JSON.stringify(host)} must be 1-255 of letters, digits, . _ : -`);
  if (!ID_PART.test(name)) throw invalid('name', `${JSON.stringify(name)} must be 1-255 of letters, digits, . _ : -`);
  return scheduleId(host, name);
}

function invalid(field: string, reason: string): HttpError {
  return new HttpError(400, 'invalid_definition', `${field}: ${reason}`, { field, reason });
}
