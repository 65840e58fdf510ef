// A Code 128 reader for the barcodes the pages draw: it measures the bars of the SVG (bwip-js draws
// each bar as a stroke of its width centred on x), turns bars and gaps into module widths, and reads
// them with the symbology's own table, checking the start code, the check symbol and the stop pattern,
// so a barcode that a scanner could not read fails here too.

/** Bar and space widths of symbol values 0..105 (ISO/IEC 15417); 106 is the stop pattern. */
const PATTERNS = (
  '212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212 112232 122132 ' +
  '122231 113222 123122 123221 223211 221132 221231 213212 223112 312131 311222 321122 321221 312212 ' +
  '322112 322211 212123 212321 232121 111323 131123 131321 112313 132113 132311 211313 231113 231311 ' +
  '112133 112331 132131 113123 113321 133121 313121 211331 231131 213113 213311 213131 311123 311321 ' +
  '331121 312113 312311 332111 314111 221411 431111 111224 111422 121124 121421 141122 141221 112214 ' +
  '112412 122114 122411 142112 142211 241211 221114 413111 241112 134111 111242 121142 121241 114212 ' +
  '124112 124211 411212 421112 421211 212141 214121 412121 111143 111341 131141 114113 114311 411113 ' +
  '411311 113141 114131 311141 411131 211412 211214 211232'
).split(' ');
const STOP = '2331112';
const START = { A: 103, B: 104, C: 105 } as const;
const CODE = { C: 99, B: 100, A: 101 } as const;

/** The module widths (bar, space, bar, ...) of an SVG drawn as vertical strokes. */
export function moduleWidths(svg: string): number[] {
  const bars: [number, number][] = [];
  for (const m of svg.matchAll(/stroke-width="([\d.]+)"\s+d="([^"]+)"/g)) {
    const w = Number(m[1]);
    for (const x of m[2]!.matchAll(/M([\d.]+)\s/g)) bars.push([Number(x[1]) - w / 2, Number(x[1]) + w / 2]);
  }
  bars.sort((a, b) => a[0] - b[0]);
  if (bars.length === 0) throw new Error('no bars in the SVG');
  const module = Math.min(...bars.map(([a, b]) => b - a));
  const runs: number[] = [];
  bars.forEach(([a, b], i) => {
    runs.push(Math.round((b - a) / module));
    const next = bars[i + 1];
    if (next) runs.push(Math.round((next[0] - b) / module));
  });
  return runs;
}

/** The text a Code 128 barcode (code sets B and C) encodes; throws when it cannot be read. */
export function decodeCode128(svg: string): string {
  const runs = moduleWidths(svg);
  if (runs.slice(-7).join('') !== STOP) throw new Error('no stop pattern');
  const values: number[] = [];
  for (let i = 0; i < runs.length - 7; i += 6) {
    const v = PATTERNS.indexOf(runs.slice(i, i + 6).join(''));
    if (v < 0) throw new Error(`unreadable symbol at module run ${i}`);
    values.push(v);
  }
  const [start, ...rest] = values;
  const check = rest.pop();
  const data = rest;
  const sum = data.reduce((acc, v, i) => acc + v * (i + 1), start!);
  if (sum % 103 !== check) throw new Error('check symbol does not match');
  let set: 'B' | 'C' =
    start === START.C
      ? 'C'
      : start === START.B
        ? 'B'
        : (() => {
            throw new Error('only code sets B and C are read here');
          })();
  let out = '';
  for (const v of data) {
    // A code set switch is a value only the other sets read as one: 100 (to B) in C, 99 (to C) in B.
    if (set === 'C' && v === CODE.B) set = 'B';
    else if (set === 'B' && v === CODE.C) set = 'C';
    else if (set === 'C' && v < 100) out += String(v).padStart(2, '0');
    else if (set === 'B' && v < 96) out += String.fromCharCode(v + 32);
    else throw new Error(`symbol ${v} is not read here (code set ${set})`);
  }
  return out;
}
