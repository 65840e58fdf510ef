import { describe, expect, it } from 'vitest';
import { csvCell } from './csv';

describe('CSV cells (RFC 4180, formula-injection safe)', () => {
  it('quotes what needs quoting and doubles quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a, "b"')).toBe('"a, ""b"""');
    expect(csvCell('line\r\nbreak')).toBe('"line\r\nbreak"');
    expect(csvCell(null)).toBe('');
  });
  it('neutralises formulas at the start and after a separator Excel may split on, leaving numbers alone', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell("x;=cmd|'/C calc'!A0;")).toBe(`"x;'=cmd|'/C calc'!A0;"`);
    expect(csvCell('a, +1+1')).toBe(`"a, '+1+1"`);
    expect(csvCell('-12.50')).toBe('-12.50');
    expect(csvCell('-1+1')).toBe("'-1+1");
  });
});
