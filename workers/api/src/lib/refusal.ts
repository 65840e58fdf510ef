import type { Refusal } from '@gratia/core';
import type { Context } from 'hono';
import { problem } from './problem';

/** A use case's refusal as the API answers it: problem+json with the code's status. */
// biome-ignore lint/suspicious/noExplicitAny: the status literal is checked by the ERROR_STATUS map
export const refusal = (c: Context, r: Refusal): any => problem(c, r.code, r.detail, r.errors, r.retryAt);
