import type { VisitRewardHook } from './visit-rewards';

/** Every Nth paid visit within a window earns a rule's reward once per threshold (to be built). */
export const punchHook: VisitRewardHook<Record<never, never>> = {
  reads: () => ({}),
  active: () => false,
  statements: () => ({}),
};
