/** A JSON Schema (ajv) error as the field it names and a reason a person can act on. */
import type { ErrorObject } from 'ajv';

export interface FieldProblem {
  field: string;
  reason: string;
}

export function shapeProblem(error: ErrorObject | undefined, body: unknown): FieldProblem {
  if (!error) return { field: '(body)', reason: 'is not valid' };
  if (error.instancePath === '' && error.keyword === 'type') return { field: '(body)', reason: `must be a JSON object, got ${describe(body)}` };
  const path = error.instancePath.slice(1).replaceAll('/', '.');
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { field: joinPath(path, String(params.missingProperty)), reason: 'is required' };
    case 'additionalProperties':
      return { field: joinPath(path, String(params.additionalProperty)), reason: 'is not a known field' };
    case 'enum':
      return { field: path, reason: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${describe(valueAt(body, path))}` };
    default:
      return { field: path, reason: `${error.message ?? 'is invalid'}, got ${describe(valueAt(body, path))}` };
  }
}

function joinPath(path: string, field: string): string {
  return path === '' ? field : `${path}.${field}`;
}

function valueAt(body: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((current, part) => (typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[part] : undefined), body);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
