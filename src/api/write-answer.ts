/** How a write is answered: 202 once Kafka has it, or with `?wait=applied` 200 once the owning node applied it. */
import type { Response } from 'express';
import type { Clock } from '../domain/clock';
import { WaitTimeoutError, waitFor } from '../util/wait-for';
import type { WriteReceipt } from './definition-writer';
import { HttpError } from './http-error';
import type { ScheduleDirectory } from './schedule-directory';

/** How long `?wait=applied` waits for the owning node. */
export const APPLY_WAIT_MS = 10_000;
const APPLY_POLL_MS = 50;

export interface WriteAnswer {
  waitApplied: boolean;
  deleted: boolean;
  authorization: string | undefined;
}

export async function answerWrite(res: Response, receipt: WriteReceipt, { waitApplied, deleted, authorization }: WriteAnswer, directory: ScheduleDirectory, clock: Clock): Promise<void> {
  if (!waitApplied) {
    res.status(202).json(receipt);
    return;
  }
  try {
    await waitFor(
      'the owning node to apply the write',
      async () => {
        const view = await directory.find(receipt.id, authorization);
        return deleted ? view === undefined : view !== undefined && view.appliedOffset >= receipt.offset;
      },
      { timeoutMs: APPLY_WAIT_MS, intervalMs: APPLY_POLL_MS, clock },
    );
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    throw new HttpError(504, 'apply_timeout', `written to Kafka (partition ${receipt.partition}, offset ${receipt.offset}) but not applied by the owning node within ${APPLY_WAIT_MS} ms`, { ...receipt });
  }
  res.status(200).json({ ...receipt, applied: true });
}
