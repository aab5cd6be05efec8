/**
 * Which occurrence outcomes a partition's history no longer keeps: those due longer ago than the
 * retention, and of each schedule all but the latest `limit`. Schedules that ended (one-shots, a
 * deleted cron) keep their history until it ages out, so a one-shot's outcome stays readable.
 */
import type { OutcomeHistory } from '../store/outcome-history';

export interface HistoryRetention {
  /** Outcomes kept per schedule, latest first. */
  limit: number;
  /** Longest time an outcome is kept after its occurrence's due time. */
  retentionMs: number;
}

/** The keys to delete, at most `max` (`more` when there are others); one pass over the history keys. */
export async function expiredOutcomes(history: OutcomeHistory, retention: HistoryRetention, now: number, max: number): Promise<{ keys: string[]; more: boolean }> {
  const expired: string[] = [];
  const oldest = now - retention.retentionMs;
  let id: string | undefined;
  let run: { key: string; scheduledAt: number }[] = [];
  // Keys come by schedule, then by due time: each schedule's expired ones are the start of its run.
  const endRun = (): void => {
    const aged = run.filter((entry) => entry.scheduledAt < oldest).length;
    const drop = Math.max(aged, run.length - retention.limit);
    for (const entry of run.slice(0, drop)) expired.push(entry.key);
    run = [];
  };
  for await (const entry of history.keys()) {
    if (entry.id !== id) {
      endRun();
      if (expired.length >= max) return { keys: expired.slice(0, max), more: true };
      id = entry.id;
    }
    run.push(entry);
  }
  endRun();
  return { keys: expired.slice(0, max), more: expired.length > max };
}
