// How an SMS will travel: GSM-7 when every character is in the GSM 03.38 alphabet (its extension
// table's characters, such as € or {, take two septets), UCS-2 otherwise (any Cyrillic letter, most
// emoji). A single message holds 160 GSM-7 septets or 70 UCS-2 units; a longer one is split into
// segments of 153 or 67 (each carries a concatenation header). Shown in the console next to a template.

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENSION = '\f^{}\\[~]|€';

const basic = new Set(GSM7_BASIC);
const extension = new Set(GSM7_EXTENSION);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegments {
  encoding: SmsEncoding;
  /** Septets (GSM-7: extension characters count 2) or UTF-16 code units (UCS-2). */
  characters: number;
  segments: number;
}

export function smsSegments(text: string): SmsSegments {
  let septets = 0;
  let gsm = true;
  for (const ch of text) {
    if (basic.has(ch)) septets += 1;
    else if (extension.has(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return { encoding: 'GSM-7', characters: septets, segments: count(septets, 160, 153) };
  // UCS-2 counts UTF-16 code units: a character outside the BMP (an emoji) takes two.
  return { encoding: 'UCS-2', characters: text.length, segments: count(text.length, 70, 67) };
}

const count = (n: number, single: number, part: number) =>
  n === 0 ? 0 : n <= single ? 1 : Math.ceil(n / part);
