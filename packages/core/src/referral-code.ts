// Referral codes: what a patient passes on to the people they recommend the clinic to. A code is 10
// characters (upper-case hex, written by a trigger with the patient), typed at the desk or in a link
// (`/j/<code>`), matched without regard to case, spaces or dashes.

/** A referral code as typed, normalised: upper case, no spaces or dashes; '' when it cannot be one. */
export function normalizeReferralCode(input: string): string {
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  return /^[A-Z0-9]{4,32}$/.test(code) ? code : '';
}

/** A contact as the patients module stores it, compared: e-mail lower case, phone by its digits. */
const email = (e: string | null | undefined) => (e ? e.trim().toLowerCase() : '');
const phone = (p: string | null | undefined) => (p ? p.replace(/\D/g, '') : '');

/**
 * Whether two patients are the same person by their contact: the same e-mail, or the same phone.
 * Returns which, or null (no shared contact; missing contacts never match).
 */
export function sharedContact(
  a: { email: string | null; phone: string | null },
  b: { email: string | null; phone: string | null },
): 'email' | 'phone' | null {
  if (email(a.email) && email(a.email) === email(b.email)) return 'email';
  if (phone(a.phone) && phone(a.phone) === phone(b.phone)) return 'phone';
  return null;
}
