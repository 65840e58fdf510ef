import { isTimeZone } from '@gratia/core';
import type { NetworkConfig } from '@gratia/db';
import type { Env } from '../env';

const positiveInt = (raw: string | undefined, fallback: number) => {
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};

/** The network's configuration from the Worker's environment (origin: the request's, for local runs). */
export function networkConfig(env: Env, origin: string): NetworkConfig {
  return {
    baseUrl: (env.PUBLIC_BASE_URL || origin).replace(/\/+$/, ''),
    networkName: env.NETWORK_NAME || 'Gratia Network',
    currency: env.NETWORK_CURRENCY || 'EUR',
    timezone: env.NETWORK_TIMEZONE && isTimeZone(env.NETWORK_TIMEZONE) ? env.NETWORK_TIMEZONE : 'UTC',
    pointValue: positiveInt(env.POINT_VALUE_MINOR, 1),
    voucherDefaultDays: positiveInt(env.VOUCHER_DEFAULT_DAYS, 90),
    voucherMaxDays: positiveInt(env.VOUCHER_MAX_DAYS, 365),
    signingKeys: env.VOUCHER_SIGNING_KEYS,
    linkSecret: env.SESSION_SECRET || env.OPERATOR_TOKEN,
  };
}
