import { code128, drawingSVG } from 'bwip-js/generic';

// The coalition card's number as a Code 128 barcode (a USB scanner at a front desk or a counter reads
// it as typed digits), drawn by bwip-js as SVG: its platform-neutral build, which runs in workerd. Only
// the Code 128 encoder is imported, so the rest of the library's symbologies stay out of the bundle.
// The digits are printed by the page beside it, not inside the image (no font is embedded).

export function cardBarcodeSvg(cardNumber: string): string {
  return code128(
    {
      bcid: 'code128',
      text: cardNumber,
      scale: 2,
      height: 12,
      paddingwidth: 10,
      paddingheight: 4,
      backgroundcolor: 'ffffff',
    },
    drawingSVG(),
  );
}

/** The barcode as a data: URI for an <img> (the pages allow img-src data: and nothing else). */
export const cardBarcodeDataUri = (cardNumber: string) =>
  `data:image/svg+xml;base64,${btoa(cardBarcodeSvg(cardNumber))}`;
