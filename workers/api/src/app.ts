import { ApiError, type Clock, type ErrorCode, type FieldError, systemClock } from '@gratia/core';
import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './env';
import { problem } from './lib/problem';
import { ensureAuthorized } from './middleware/auth';
import { jsonBodyGuard } from './middleware/json-body';
import { requestContext } from './middleware/request-context';
import { registerRoutes } from './routes';

export interface AppOptions {
  clock?: Clock;
}

export type App = OpenAPIHono<AppEnv>;

/** Field errors from a zod issue list, with dotted paths ("consent.sms", "tags.3"). */
export function fieldErrors(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): FieldError[] {
  return issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}

/** The refusal code for an HTTPException the framework throws while reading a request. */
const HTTP_EXCEPTION_CODES: Record<number, ErrorCode> = {
  400: 'malformed_json',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** A route as registered: its definition (the library keeps it without its middleware). */
export interface RegisteredRoute {
  method: string;
  path: string;
  operationId?: string;
  middleware: unknown[];
  hasBody: boolean;
}
const registered = new WeakMap<App, RegisteredRoute[]>();

/** Every route registered through app.openapi, with its middleware: the route inventory the tests read. */
export const registeredRoutes = (app: App): readonly RegisteredRoute[] => registered.get(app) ?? [];

function recordRoutes(app: App) {
  const list: RegisteredRoute[] = [];
  registered.set(app, list);
  const openapi = app.openapi.bind(app);
  app.openapi = ((route: Parameters<typeof openapi>[0], ...rest: unknown[]) => {
    const r = route as typeof route & { operationId?: string; middleware?: unknown };
    list.push({
      method: r.method.toUpperCase(),
      path: r.path,
      operationId: r.operationId,
      middleware: Array.isArray(r.middleware) ? r.middleware : r.middleware ? [r.middleware] : [],
      hasBody: Boolean(r.request?.body),
    });
    return (openapi as (...a: unknown[]) => unknown)(route, ...rest);
  }) as typeof app.openapi;
}

export function createApp(options: AppOptions = {}): App {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: async (result, c) => {
      if (!result.success) {
        // A pending key is checked before the request's faults are described: 401 comes first.
        await ensureAuthorized(c);
        const errors = fieldErrors(result.error.issues);
        const where = result.target === 'json' ? 'body' : result.target;
        return problem(
          c,
          'validation_failed',
          `The request ${where} is not valid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
          errors,
        );
      }
    },
  });

  recordRoutes(app);
  app.use('*', requestContext(options.clock ?? systemClock));
  app.use('/v1/*', jsonBodyGuard);

  registerRoutes(app);

  app.notFound((c) => problem(c, 'not_found', `No route for ${c.req.method} ${c.req.path}`));
  app.onError(async (e, c) => {
    if (e instanceof ApiError) return problem(c, e.code, e.message, e.errors, e.retryAt);
    if (e instanceof HTTPException && e.status < 500) {
      // The framework's own refusals of a request (an empty body of the wrong type, JSON that does
      // not parse): the key is checked first, as everywhere, then the request's fault is named.
      try {
        await ensureAuthorized(c);
      } catch (auth) {
        if (auth instanceof ApiError) return problem(c, auth.code, auth.message, undefined, auth.retryAt);
        throw auth;
      }
      return problem(c, HTTP_EXCEPTION_CODES[e.status] ?? 'validation_failed', e.message);
    }
    console.error(
      JSON.stringify({
        level: 'error',
        request_id: c.var.requestId,
        error: String(e),
        stack: (e as Error).stack,
      }),
    );
    return problem(c, 'internal_error', 'Something went wrong on our side; the request id identifies it');
  });
  return app;
}
