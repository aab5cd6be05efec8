/** Punctual nodes as separate processes (the built entry point, dist/src/main.js), for crash tests and benchmarks. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../util/project-root';
import { waitFor } from '../util/wait-for';

export const MAIN = path.join(projectRoot(), 'dist', 'src', 'main.js');

export interface PunctualProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Resolves with the node's HTTP port once it printed its ready line. */
  ready(timeoutMs?: number): Promise<number>;
}

/** `nodeArgs` go to node before the script (e.g. --cpu-prof, which NODE_OPTIONS does not allow). */
export function startPunctualProcess(env: Record<string, string>, nodeArgs: string[] = []): PunctualProcess {
  const child = spawn(process.execPath, [...nodeArgs, MAIN], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    async ready(timeoutMs = 90_000) {
      const match = await waitFor('the ready line', () => /Punctual node ready: .* http:\/\/127\.0\.0\.1:(\d+)/.exec(output) ?? undefined, { timeoutMs }).catch(
        (error: unknown) => {
          throw new Error(`${String(error)}\n--- output ---\n${output.slice(-5000)}`);
        },
      );
      return Number(match[1]);
    },
  };
}

/** Sends SIGTERM to every node still running (each then shuts down in order) and waits until all have exited. */
export async function stopPunctualProcesses(nodes: PunctualProcess[]): Promise<void> {
  for (const node of nodes) if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGTERM');
  await Promise.all(nodes.map((node) => node.exited));
}
