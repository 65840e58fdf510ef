import { encode } from 'uqr';

// A QR code as a small SVG: one path of horizontal runs (not a rect per module), with a fixed mask
// pattern. Choosing the mask by penalty score (the default) draws the code eight times and cost ~5 ms
// of CPU per page for a voucher token; every mask is valid and decodes the same, and the scanners in
// use (phones, the counter page's jsQR) read any of them.

const MASK = 0;

export function qrSvg(text: string, border = 2): string {
  const { data } = encode(text, { ecc: 'M', border: 0, maskPattern: MASK });
  const n = data.length;
  const size = n + 2 * border;
  let d = '';
  for (let y = 0; y < n; y++) {
    const row = data[y]!;
    for (let x = 0; x < n; ) {
      if (!row[x]) {
        x++;
        continue;
      }
      let w = 1;
      while (x + w < n && row[x + w]) w++;
      d += `M${x + border} ${y + border}h${w}v1h-${w}z`;
      x += w;
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges"><rect width="${size}" height="${size}" fill="#fff"/><path d="${d}"/></svg>`;
}

/** The code as a data: URI for an <img> (pages allow img-src data: and nothing else). */
export const qrDataUri = (text: string) => `data:image/svg+xml;base64,${btoa(qrSvg(text))}`;
