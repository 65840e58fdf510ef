import { env } from 'cloudflare:workers';
import { type Clock, fixedClock } from '@gratia/core';
import { createApp } from '../../workers/api/src/app';

export const OPERATOR_TOKEN = env.OPERATOR_TOKEN;
export const T0 = Date.parse('2026-11-01T09:00:00.000Z');

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string | null;
  body?: unknown;
  /** Sent verbatim (for malformed-body tests); overrides `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** An in-process client for the API Worker with an injectable clock (fixed by default). */
export function createClient(
  clock: Clock & { advance?(ms: number): void; set?(t: number): void } = fixedClock(T0),
) {
  const app = createApp({ clock });
  async function request<T = any>(
    method: string,
    path: string,
    opts: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.rawBody !== undefined) body = opts.rawBody;
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await app.request(`https://gratia.test${path}`, { method, headers, body }, env);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON (HTML pages, CSV)
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }
  return {
    app,
    clock,
    request,
    get: <T = any>(path: string, opts?: RequestOptions) => request<T>('GET', path, opts),
    post: <T = any>(path: string, opts?: RequestOptions) => request<T>('POST', path, opts),
    patch: <T = any>(path: string, opts?: RequestOptions) => request<T>('PATCH', path, opts),
    put: <T = any>(path: string, opts?: RequestOptions) => request<T>('PUT', path, opts),
    delete: <T = any>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, opts),
  };
}
export type Client = ReturnType<typeof createClient>;
