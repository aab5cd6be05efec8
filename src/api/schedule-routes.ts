/**
 * Schedule endpoints: light-scheduler's `POST /schedulers`, the `/v1/schedules` resource API, and the
 * internal read the owning node answers for the others. Validation is the one the Kafka ingest path
 * uses (domain/definition-validation.ts), so both refuse the same bodies with the same reasons.
 */
import { Router, type Request } from 'express';
import { scheduleId, type ScheduleId } from '../domain/definition';
import { validateDefinition } from '../domain/definition-validation';
import type { DefinitionWriter } from './definition-writer';
import { HttpError } from './http-error';
import { INTERNAL_PATH, type LocalSchedules, type ScheduleDirectory } from './schedule-directory';
import { scheduleView } from './schedule-view';

export interface ScheduleRoutesDeps {
  directory: ScheduleDirectory;
  writer: DefinitionWriter;
  local: LocalSchedules;
}

const ID_PART = /^[A-Za-z0-9._:-]{1,255}$/;

export function scheduleRoutes({ directory, writer, local }: ScheduleRoutesDeps): Router {
  const router = Router();

  router.post('/schedulers', async (req, res) => {
    const { id, action } = validated(req.body);
    const exists = (await directory.find(id)) !== undefined;
    if (action === 'INSERT' && exists) throw new HttpError(409, 'already_exists', `schedule ${id} already exists; use UPDATE`, { id });
    if (action !== 'INSERT' && !exists) throw new HttpError(404, 'not_found', `schedule ${id} does not exist`, { id });
    res.status(202).json(await writer.write(id, action === 'DELETE' ? null : req.body));
  });

  router.get('/v1/schedules/:host/:name', async (req, res) => {
    const id = idFromPath(req);
    const view = await directory.find(id);
    if (!view) throw new HttpError(404, 'not_found', `schedule ${id} does not exist`, { id });
    res.json(view);
  });

  router.put('/v1/schedules/:host/:name', async (req, res) => {
    const id = idFromPath(req);
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('(body)', 'must be a JSON object');
    const fields = body as Record<string, unknown>;
    for (const field of ['host', 'name'] as const) {
      if (fields[field] !== undefined && fields[field] !== req.params[field]) throw invalid(field, `${JSON.stringify(fields[field])} differs from the path`);
    }
    if (fields.action === 'DELETE') throw invalid('action', 'DELETE is not a PUT; use DELETE /v1/schedules/{host}/{name}');
    const definition = { ...fields, host: req.params.host, name: req.params.name, action: fields.action ?? 'INSERT' };
    validated(definition);
    res.status(202).json(await writer.write(id, definition));
  });

  router.delete('/v1/schedules/:host/:name', async (req, res) => {
    const id = idFromPath(req);
    if ((await directory.find(id)) === undefined) throw new HttpError(404, 'not_found', `schedule ${id} does not exist`, { id });
    res.status(202).json(await writer.write(id, null));
  });

  // Asked by other nodes: answered only by the owner of the schedule's partition (421 otherwise).
  router.get(`${INTERNAL_PATH}/:host/:name`, async (req, res) => {
    const id = idFromPath(req);
    const found = await local.lookup(id);
    if (!found.owned) throw new HttpError(421, 'not_owner', `this node does not own the partition of ${id}`);
    if (!found.state) throw new HttpError(404, 'not_found', `schedule ${id} does not exist`, { id });
    res.json(scheduleView(found.state));
  });

  return router;
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
