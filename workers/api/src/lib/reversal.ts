// A reversal batch inserts its row only for the caller's own redemption, inside the window, once;
// reading back the redemption and the (possibly earlier) reversal says which of those failed.

export type ReversalRefusal =
  | 'redemption_not_found'
  | 'reversal_window_closed'
  | 'redemption_already_reversed';

export function reversalRefusal(
  redemptionFound: boolean,
  reversal: { id: string } | undefined,
  reversalId: string,
): ReversalRefusal | null {
  if (!redemptionFound) return 'redemption_not_found';
  if (!reversal) return 'reversal_window_closed';
  return reversal.id === reversalId ? null : 'redemption_already_reversed';
}
