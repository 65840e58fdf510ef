import { parsePercentInput } from '@gratia/core';
import { accrualPoints } from '@gratia/points';

// The programme page's script (/console/programme.js): the example sentence follows the form as the
// owner types, and "Add a tier" adds a row. Without it the page works the same, the example showing
// the rules in force. The arithmetic is not written twice: the script carries the source of the very
// functions the server uses (accrualPoints, the ledger's formula; parsePercentInput, the form's
// parser; exampleSentence below), so each of them is plain code that imports nothing and holds no
// inner function (a bundler may add helpers around those). Only the money formatting is restated,
// as formatMoney's Intl call with the digits the page states (test/api/console-programme.test.ts runs
// this script against the server's sentences for a table of rules).

/** The example under the rules: "A visit of €500.00 earns 2,500 points, worth €25.00, to spend within 180 days." */
export function exampleSentence(amount: string, points: number, worth: string, days: number): string {
  return `A visit of ${amount} earns ${points.toLocaleString('en-GB')} points, worth ${worth}, to spend within ${days} day${days === 1 ? '' : 's'}.`;
}

export const PROGRAMME_SCRIPT = `(() => {
  const form = document.getElementById('programme-form');
  const out = document.getElementById('programme-example');
  if (!form || !out) return;
  const accrualPoints = ${accrualPoints};
  const parsePercentInput = ${parsePercentInput};
  const exampleSentence = ${exampleSentence};
  const d = out.dataset;
  const money = (amount, currency, digits) =>
    new Intl.NumberFormat('en-GB', {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(amount / 10 ** digits);
  const field = (name) => form.elements.namedItem(name);
  const update = () => {
    const bps = parsePercentInput(field('accrual_rate').value);
    const daysText = field('expiry_days').value.trim();
    const days = /^[0-9]{1,4}$/.test(daysText) ? Number(daysText) : 0;
    if (typeof bps !== 'number' || bps > 10000 || days < 1 || days > 3660) {
      out.textContent = d.incomplete;
      return;
    }
    const amount = Number(d.amount);
    const pointValue = Number(d.pointValue);
    const points = accrualPoints(amount, bps, pointValue);
    out.textContent = exampleSentence(
      money(amount, d.currency, Number(d.digits)),
      points,
      money(points * pointValue, d.pointCurrency, Number(d.pointDigits)),
      days,
    );
  };
  form.addEventListener('input', update);
  update();

  const add = document.getElementById('add-tier');
  const rows = document.getElementById('tier-rows');
  if (!add || !rows) return;
  const max = Number(rows.dataset.max);
  add.hidden = false;
  add.addEventListener('click', () => {
    const last = rows.lastElementChild;
    if (!last || rows.children.length >= max) return;
    const next = Number(last.dataset.row) + 1;
    const row = last.cloneNode(true);
    row.dataset.row = String(next);
    for (const el of row.querySelectorAll('[id], [for], [name]')) {
      for (const attr of ['id', 'for', 'name']) {
        const v = el.getAttribute(attr);
        if (v) el.setAttribute(attr, v.replace(/_[0-9]+$/, '_' + next));
      }
      if (el.tagName === 'INPUT') {
        if (el.type === 'checkbox') el.checked = false;
        else el.value = '';
        el.removeAttribute('aria-invalid');
        el.removeAttribute('aria-describedby');
      }
    }
    for (const el of row.querySelectorAll('.field-error')) el.remove();
    const label = row.querySelector('legend');
    if (label) label.textContent = 'Tier ' + (rows.children.length + 1);
    rows.appendChild(row);
    add.hidden = rows.children.length >= max;
    row.querySelector('input').focus();
  });
})();`;
