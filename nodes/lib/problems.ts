import type { Translate } from './node-red-types';

/** Something wrong with the node's settings, as an i18n key under `mqtt5-broker.errors` or `.warnings`. */
export interface Problem {
  key: string;
  params?: Record<string, string | number>;
}

export function problem(key: string, params?: Record<string, string | number>): Problem {
  return params === undefined ? { key } : { key, params };
}

/** The problem's message in the user's language; a `field` parameter names an editor label. */
export function translateProblem(translate: Translate, section: 'errors' | 'warnings', p: Problem): string {
  const params = p.params;
  const field = params?.['field'];
  const shown =
    typeof field === 'string' ? { ...params, field: translate(`mqtt5-broker.label.${field}`) } : params;
  return translate(`mqtt5-broker.${section}.${p.key}`, shown);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A value, or the problem that kept it from being made. */
export type Result<T> = { ok: true; value: T } | { ok: false; problem: Problem };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T>(key: string, params?: Record<string, string | number>): Result<T> {
  return { ok: false, problem: problem(key, params) };
}
