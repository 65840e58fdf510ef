import type { VisitRewardHook } from './visit-rewards';

/** A referred patient's first paid visit rewards the referrer and the referred patient once (to be built). */
export const referralHook: VisitRewardHook<Record<never, never>> = {
  reads: () => ({}),
  active: () => false,
  statements: () => ({}),
};
