/**
 * The due index's time buckets: a hierarchical timing wheel of five levels.
 *
 *   level 0: days   (86 400 000 ms)    level 3: seconds (1 000 ms)
 *   level 1: hours  (3 600 000 ms)     level 4: milliseconds: the in-memory level
 *   level 2: minutes (60 000 ms)
 *
 * A bucket of level L and index b holds the occurrences due in [b*width, (b+1)*width). It opens one
 * width before it starts, at (b-1)*width: its occurrences then move to finer buckets (or, from the
 * seconds level, into memory). An occurrence is placed in the coarsest level whose bucket has not
 * opened yet, so it is promoted level by level as its time approaches, and memory holds only the
 * occurrences of the next second or two.
 */

export const LEVEL_WIDTHS = [86_400_000, 3_600_000, 60_000, 1_000] as const;
export const LEVEL_NAMES = ['day', 'hour', 'minute', 'second', 'millisecond'] as const;
/** The level held in memory. */
export const MEMORY_LEVEL = LEVEL_WIDTHS.length;

export type Level = number;

export interface BucketPlace {
  level: Level;
  /** Bucket index at that level (0 at the memory level). */
  bucket: number;
}

export function bucketOf(level: Level, dueAt: number): number {
  const width = LEVEL_WIDTHS[level];
  return width === undefined ? 0 : Math.floor(dueAt / width);
}

export function openTime(level: Level, bucket: number): number {
  const width = LEVEL_WIDTHS[level];
  if (width === undefined) throw new RangeError(`level ${level} has no buckets`);
  return (bucket - 1) * width;
}

/** Where an occurrence due at `dueAt` belongs when the clock reads `now`. */
export function placeOccurrence(dueAt: number, now: number): BucketPlace {
  for (let level = 0; level < LEVEL_WIDTHS.length; level++) {
    const bucket = bucketOf(level, dueAt);
    if (openTime(level, bucket) > now) return { level, bucket };
  }
  return { level: MEMORY_LEVEL, bucket: 0 };
}
