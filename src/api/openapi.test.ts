/** The OpenAPI document describes exactly the routes the app serves (internal ones excepted). */
import type express from 'express';
import { httpApp } from './http-app';
import { openApiDocument } from './openapi';
import type { ScheduleRoutesDeps } from './schedule-routes';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

function servedRoutes(app: express.Express): string[] {
  const routes: string[] = [];
  const walk = (stack: Layer[]): void => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) routes.push(`${method.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return routes.filter((route) => !route.includes('/internal/')).sort();
}

function documentedRoutes(): string[] {
  return Object.entries(openApiDocument.paths)
    .flatMap(([path, item]) => Object.keys(item).filter((key) => key !== 'parameters').map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

test('every served route is documented and every documented route is served', () => {
  const app = httpApp({ node: { isReady: () => true, ownedPartitions: () => [], waitingForTargetTopics: () => [], metrics: { registry: {} as never } }, schedules: { calendars: { table: {}, writer: {} } } as unknown as ScheduleRoutesDeps });
  expect(documentedRoutes()).toEqual(servedRoutes(app));
  expect(servedRoutes(app).length).toBeGreaterThan(10);
});

test('every schedules operation declares the bearer scheme and its 401 and 403 answers; health and metrics stay open', () => {
  expect(openApiDocument.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  for (const [path, item] of Object.entries(openApiDocument.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (method === 'parameters') continue;
      const { security, responses } = operation as { security?: unknown; responses: Record<string, unknown> };
      if (/^\/(schedulers|v1)/.test(path)) {
        expect({ path, method, security, auth: ['401', '403'].filter((code) => code in responses) }).toEqual({ path, method, security: [{ bearer: [] }], auth: ['401', '403'] });
      } else {
        expect({ path, method, security }).toEqual({ path, method, security: undefined });
      }
    }
  }
});
