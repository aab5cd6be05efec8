/** Resolves after `ms` milliseconds (real time: for processes and benchmarks, never for scheduling logic). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
