import { readFileSync } from 'node:fs';
import {
  BarcodeFormat,
  BinaryBitmap,
  DecodeHintType,
  HybridBinarizer,
  MultiFormatReader,
  RGBLuminanceSource,
} from '@zxing/library';
import jsQR from 'jsqr';
import type { Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, http } from '../http';
import { launch, phonePage, screenshot, seriousViolations } from './browser';

// The patient's card page (/c/{token}, issue 13) in a real headless Chromium on a phone (390×844,
// touch, mobile): in English, Spanish and Russian it shows the translated words, its Code 128 barcode
// (screenshot of the element, decoded by ZXing) reads back to the card number, its QR code (jsQR)
// too, and axe finds no serious or critical violation.

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

async function scene() {
  const clinic = await createOrg({ kind: 'clinic', name: 'Lumière Aesthetics Mitte' });
  const partner = await createOrg({ kind: 'partner', name: 'Hands of Grace Spa', category: 'massage' });
  await http('PUT', '/v1/loyalty_program', clinic.key, {
    accrual_rate_bps: 1000,
    expiry_days: 180,
    min_redemption_points: 0,
    discount_tiers: [{ min_lifetime_spend: { amount: 100_000, currency: 'EUR' }, discount_bps: 500 }],
  });
  const patient = await http('POST', '/v1/patients', clinic.key, {
    first_name: 'Anna',
    last_name: 'Kowalski',
  });
  expect(patient.status).toBe(201);
  const visit = await http('POST', '/v1/visits', clinic.key, {
    patient_id: patient.body.id,
    amount: { amount: 42_000, currency: 'EUR' },
  });
  expect(visit.status).toBe(201);
  const offer = await http('POST', '/v1/offers', partner.key, {
    title: '60-minute aromatherapy massage',
    category: 'massage',
    price: { amount: 6500, currency: 'EUR' },
  });
  await http('POST', '/v1/vouchers', clinic.key, { patient_id: patient.body.id, offer_id: offer.body.id });
  const card = await http('GET', `/v1/patients/${patient.body.id}/card`, clinic.key);
  expect(card.status).toBe(200);
  return { cardNumber: patient.body.card_number as string, url: card.body.url as string };
}

function luminance(file: string) {
  const png = PNG.sync.read(readFileSync(file));
  const lum = new Uint8ClampedArray(png.width * png.height);
  for (let i = 0; i < lum.length; i++)
    lum[i] = (png.data[i * 4]! * 299 + png.data[i * 4 + 1]! * 587 + png.data[i * 4 + 2]! * 114) / 1000;
  return { png, lum };
}

/** A Code 128 barcode in a PNG, decoded by ZXing. */
function decodeCode128(file: string): string {
  const { png, lum } = luminance(file);
  const reader = new MultiFormatReader();
  const hints = new Map<DecodeHintType, unknown>([
    [DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.CODE_128]],
    [DecodeHintType.TRY_HARDER, true],
  ]);
  const bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(lum, png.width, png.height)));
  const result = reader.decode(bitmap, hints);
  expect(result.getBarcodeFormat()).toBe(BarcodeFormat.CODE_128);
  return result.getText();
}

function decodeQr(file: string): string | null {
  const png = PNG.sync.read(readFileSync(file));
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
}

const WORDS = {
  en: {
    h1: 'Your card at Lumière Aesthetics Mitte',
    points: /\d points/,
    gifts: 'Your gifts',
    progress: 'Spend',
  },
  es: {
    h1: 'Tu tarjeta en Lumière Aesthetics Mitte',
    points: /\d puntos/,
    gifts: 'Tus regalos',
    progress: 'Gasta',
  },
  ru: {
    h1: 'Ваша карта в Lumière Aesthetics Mitte',
    points: /\d балл/,
    gifts: 'Ваши подарки',
    progress: 'Потратьте',
  },
} as const;

describe('the card page in Chromium on a phone', () => {
  for (const lang of ['en', 'es', 'ru'] as const) {
    it(`${lang}: translated, its barcode and QR code decode to the card number, axe finds nothing serious`, async () => {
      const { cardNumber, url } = await scene();
      const page = await phonePage(browser);
      const res = await page.goto(`${url}?lang=${lang}`);
      expect(res?.status()).toBe(200);
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      const w = WORDS[lang];
      expect(await page.locator('h1').textContent()).toBe(w.h1);
      expect(await page.locator('#balance').textContent()).toMatch(w.points);
      expect(await page.locator('#gifts-heading').textContent()).toBe(w.gifts);
      expect(await page.locator('#progress-text').textContent()).toContain(w.progress);
      expect(await page.locator('#gifts a').count()).toBe(1);
      // The barcode fits the phone's width.
      const box = await page.locator('#barcode').boundingBox();
      expect(box!.width).toBeLessThanOrEqual(390);
      await screenshot(page, `card-page-${lang}`);
      const barcodeFile = (await screenshot(page, `card-page-${lang}-full`)).replace('-full', '-barcode');
      await page.locator('#barcode').screenshot({ path: barcodeFile });
      expect(decodeCode128(barcodeFile)).toBe(cardNumber);
      const qrFile = barcodeFile.replace('-barcode', '-qr');
      await page.locator('#qr').screenshot({ path: qrFile });
      expect(decodeQr(qrFile)).toBe(cardNumber);
      expect(await seriousViolations(page)).toEqual([]);
      await page.context().close();
    });
  }
});
