import { describe, expect, it } from 'vitest';
import { formatMoney, minorUnitDigits, parseMoneyInput } from './money';

describe('money by the currency minor unit', () => {
  it('knows each currency’s decimals from Intl', () => {
    expect([minorUnitDigits('EUR'), minorUnitDigits('JPY'), minorUnitDigits('KWD')]).toEqual([2, 0, 3]);
  });
  it('formats minor units with the right decimals', () => {
    expect(formatMoney(123450, 'EUR')).toBe('€1,234.50');
    expect(formatMoney(1235, 'JPY')).toBe('JP¥1,235');
    expect(formatMoney(1235, 'KWD').replace(/\s/g, ' ')).toBe('KWD 1.235');
  });
  it('parses what people type, exactly, refusing more decimals than the currency has', () => {
    expect(parseMoneyInput('12,5', 'EUR')).toBe(1250);
    expect(parseMoneyInput('0.1', 'EUR')).toBe(10);
    expect(parseMoneyInput('1200', 'JPY')).toBe(1200);
    expect(parseMoneyInput('12.5', 'JPY')).toBeNull();
    expect(parseMoneyInput('1.235', 'KWD')).toBe(1235);
    expect(parseMoneyInput('1.2345', 'KWD')).toBeNull();
    expect(parseMoneyInput('', 'EUR')).toBeUndefined();
    expect(parseMoneyInput('lots', 'EUR')).toBeNull();
  });
});
