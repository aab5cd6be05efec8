/** Progress lines on stderr while the benchmark runs, each with the time since it started. */
const started = Date.now();

export function progress(message: string): void {
  const seconds = Math.round((Date.now() - started) / 1000);
  const stamp = `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
  process.stderr.write(`[bench ${stamp}] ${message}\n`);
}
