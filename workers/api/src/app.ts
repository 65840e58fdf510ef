import { ApiError, type Clock, type FieldError, systemClock } from '@gratia/core';
import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './env';
import { problem } from './lib/problem';
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

export function createApp(options: AppOptions = {}): App {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
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

  app.use('*', requestContext(options.clock ?? systemClock));
  app.use('/v1/*', jsonBodyGuard);

  registerRoutes(app);

  app.notFound((c) => problem(c, 'not_found', `No route for ${c.req.method} ${c.req.path}`));
  app.onError((e, c) => {
    if (e instanceof ApiError) return problem(c, e.code, e.message, e.errors);
    if (e instanceof HTTPException && e.status === 400) return problem(c, 'malformed_json', e.message);
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
