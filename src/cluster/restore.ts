/**
 * Brings a partition's local store up to the end of its changelog partition, reading committed data
 * only. Where the end is: the task first commits a barrier record to the changelog partition, and a
 * read_committed read cannot pass a transaction still open before it (a previous owner's), so
 * everything before the barrier is final once the read reaches it. It starts from the local checkpoint when that can be trusted, else from scratch
 * after wiping the store: local state that Kafka does not confirm must not survive.
 */
import type { Clock } from '../domain/clock';
import type { KafkaPort, TopicPartition } from '../kafka/port';
import type { Logger } from '../log/logger';
import { decodeChangelog } from '../store/changelog-codec';
import type { ScheduleState } from '../domain/schedule-state';
import type { OccurrenceOutcome } from '../domain/occurrence-outcome';
import type { Checkpoint } from '../store/checkpoint';
import { storeWriteOf, type ScheduleStore } from '../store/schedule-store';

export interface RestoreResult {
  /** Changelog offset the restore started from. */
  from: number;
  /** Offset of the barrier: every changelog record below it is now in the store. */
  until: number;
  /** The next definitions offset to consume, as the last committed transaction recorded it; undefined before any. */
  inputOffset: number | undefined;
  /** The same for the status partition. */
  statusOffset: number | undefined;
  records: number;
  wiped: boolean;
  durationMs: number;
}

export interface RestoreOptions {
  store: ScheduleStore;
  port: KafkaPort;
  changelog: TopicPartition;
  /** Commits a barrier record to the changelog partition; resolves with its offset. */
  commitBarrier: () => Promise<number>;
  clock: Clock;
  logger: Logger;
}

const APPLY_BATCH = 2_000;

/** Where the store stands once it holds every changelog record below `changelogOffset`. */
export function checkpointAt(changelog: TopicPartition, changelogOffset: number, inputOffset: number | undefined, statusOffset: number | undefined): Checkpoint {
  return {
    changelogTopic: changelog.topic,
    changelogPartition: changelog.partition,
    changelogOffset,
    ...(inputOffset === undefined ? {} : { inputOffset }),
    ...(statusOffset === undefined ? {} : { statusOffset }),
  };
}

export async function restoreStore(options: RestoreOptions): Promise<RestoreResult> {
  const { store, changelog, clock } = options;
  const started = clock.now();
  const until = await options.commitBarrier();
  const barrierMs = clock.now() - started;
  const checkpoint = await store.checkpoint();
  const trusted =
    checkpoint !== undefined &&
    checkpoint.changelogTopic === changelog.topic &&
    checkpoint.changelogPartition === changelog.partition &&
    checkpoint.changelogOffset <= until;
  if (!trusted) await store.wipe();
  const from = trusted ? checkpoint.changelogOffset : 0;

  let records = 0;
  let inputOffset = trusted ? checkpoint.inputOffset : undefined;
  let statusOffset = trusted ? checkpoint.statusOffset : undefined;
  await options.port.readPartition({
    ...changelog,
    fromOffset: from,
    untilOffset: until,
    onRecords: async (batch) => {
      for (let i = 0; i < batch.length; i += APPLY_BATCH) {
        const puts = new Map<string, ScheduleState | null>();
        const outcomes = new Map<string, OccurrenceOutcome | null>();
        for (const record of batch.slice(i, i + APPLY_BATCH)) {
          const entry = decodeChangelog(record);
          if (entry.kind === 'state') puts.set(entry.state.definition.id, entry.state);
          else if (entry.kind === 'tombstone') puts.set(entry.id, null);
          else if (entry.kind === 'outcome') outcomes.set(entry.key, entry.outcome);
          else if (entry.kind === 'input-position') inputOffset = entry.inputOffset;
          else if (entry.kind === 'status-position') statusOffset = entry.statusOffset;
        }
        await store.apply({ ...storeWriteOf(puts), outcomes }, clock.now());
      }
      records += batch.length;
    },
  });
  await store.apply({ puts: [], deletes: [], checkpoint: checkpointAt(changelog, until, inputOffset, statusOffset) }, clock.now());
  const result = { from, until, inputOffset, statusOffset, records, wiped: !trusted, durationMs: clock.now() - started };
  options.logger.info('store restored', { ...result, barrierMs });
  return result;
}
