/** `punctual/executor` resolves through package.json `exports` to the built SDK (npm test builds first). */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { projectRoot } from '../../src/util/project-root';

test('require("punctual/executor") gives the SDK, with its type declarations beside it', () => {
  const script = "const sdk = require('punctual/executor'); const path = require.resolve('punctual/executor'); console.log(JSON.stringify({ exports: Object.keys(sdk).sort(), path }))";
  const { exports, path } = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: projectRoot(), encoding: 'utf8' })) as { exports: string[]; path: string };
  expect(exports).toEqual(expect.arrayContaining(['createExecutor', 'NonRetryableError', 'RetryAfter', 'HandlerTimeoutError', 'Executor']));
  expect(path.endsWith('dist/src/executor/index.js')).toBe(true);
  expect(existsSync(path.replace(/\.js$/, '.d.ts'))).toBe(true);
});
