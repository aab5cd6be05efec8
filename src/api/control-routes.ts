/**
 * Control of a schedule over REST: `POST /v1/schedules/{host}/{name}/pause|resume|trigger|skip|backfill`
 * and `DELETE .../backfill` (cancel). Each writes the same control record a service without HTTP
 * produces to the definitions topic (domain/schedule-control.ts), validated alike, and is answered
 * like a definition write: 202 once Kafka has it, 200 with `?wait=applied` once the owner applied it.
 */
import { Router, type Request, type Response } from 'express';
import { validateControl, type ControlKind } from '../domain/schedule-control';
import { HttpError } from './http-error';
import { invalid, jsonObject } from './request-parts';
import { targetOf, type RouteContext } from './route-context';
import { answerWrite } from './write-answer';

/** The path's last segment and the control it writes. */
const POSTED: [string, ControlKind][] = [
  ['pause', 'pause'],
  ['resume', 'resume'],
  ['trigger', 'trigger'],
  ['skip', 'skip'],
  ['backfill', 'backfill'],
];

export function controlRoutes({ directory, writer, clock }: RouteContext): Router {
  const router = Router();

  const control = async (req: Request, res: Response, kind: ControlKind): Promise<void> => {
    const { caller, id, waitApplied } = targetOf(req, res, 'schedules:write');
    // No body at all is an empty one: trigger, resume and cancel need none.
    const fields = req.body === undefined ? {} : jsonObject(req.body);
    for (const field of ['control', 'host', 'name']) {
      if (fields[field] !== undefined) throw invalid(field, 'comes from the path, not the body');
    }
    const record = { control: kind, host: req.params.host, name: req.params.name, ...fields };
    const checked = validateControl(record, clock.now());
    if (!checked.ok) throw invalid(checked.field, checked.reason);
    const view = await directory.find(id, caller.authorization);
    if (!view) throw new HttpError(404, 'not_found', `schedule ${id} does not exist`, { id });
    if (kind === 'backfill') {
      const { timing } = view.definition;
      if (timing.kind === 'at' || timing.kind === 'delay') throw new HttpError(409, 'conflict', `a backfill needs a recurring schedule (frequency or cron); ${id} is a one-shot`, { id, field: 'control' });
      if (view.backfill) throw new HttpError(409, 'conflict', `a backfill of [${view.backfill.from}, ${view.backfill.to}) is in progress; cancel it first (DELETE .../backfill)`, { id, field: 'control', backfill: view.backfill });
    }
    await answerWrite(res, await writer.write(id, record), { waitApplied, deleted: false, authorization: caller.authorization }, directory, clock);
  };

  for (const [segment, kind] of POSTED) router.post(`/v1/schedules/:host/:name/${segment}`, (req, res) => control(req, res, kind));
  router.delete('/v1/schedules/:host/:name/backfill', (req, res) => control(req, res, 'cancel-backfill'));
  return router;
}
