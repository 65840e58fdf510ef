import { HOUR_MS, toIso } from './clock';
import type { Refusal } from './errors';

/** How long the honouring party may undo a redemption (a voucher's or a card's points). One rule. */
export const REVERSAL_WINDOW_MS = 24 * HOUR_MS;
/** The window as people read it ("within 24 hours"). */
export const REVERSAL_WINDOW_TEXT = `${REVERSAL_WINDOW_MS / HOUR_MS} hours`;

export type ReversalRefusal = Refusal<
  'redemption_not_found' | 'reversal_window_closed' | 'redemption_already_reversed'
>;

/**
 * A reversal batch inserts its row only for the caller's own redemption, inside the window, once;
 * reading back the redemption and the (possibly earlier) reversal says which of those failed.
 */
export function reversalRefusal(
  redemptionFound: boolean,
  reversal: { id: string; reversedAt: number } | undefined,
  reversalId: string,
): ReversalRefusal | null {
  if (!redemptionFound) return { code: 'redemption_not_found', detail: 'No such redemption of yours' };
  if (!reversal)
    return {
      code: 'reversal_window_closed',
      detail: `Redemptions can be reversed within ${REVERSAL_WINDOW_TEXT}`,
    };
  if (reversal.id === reversalId) return null;
  return { code: 'redemption_already_reversed', detail: `Reversed at ${toIso(reversal.reversedAt)}` };
}
