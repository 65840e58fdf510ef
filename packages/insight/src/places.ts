// Where things are: coordinates as the API speaks them (decimal degrees, WGS 84) and as they are kept
// (integer degrees times 1e6), and the great-circle distance between two places. Pure: no I/O.

export interface LatLng {
  latitude: number;
  longitude: number;
}

/** Degrees times 1e6, rounded: about 11 cm at the equator, finer than any street address. */
export const toE6 = (degrees: number) => Math.round(degrees * 1e6);
export const fromE6 = (e6: number) => e6 / 1e6;

/** A place from stored coordinates, or null when either is missing. */
export function placeOf(latitudeE6: number | null, longitudeE6: number | null): LatLng | null {
  if (latitudeE6 === null || longitudeE6 === null) return null;
  return { latitude: fromE6(latitudeE6), longitude: fromE6(longitudeE6) };
}

/** A latitude in [-90, 90] and a longitude in [-180, 180], both finite. */
export function validPlace(p: LatLng): boolean {
  return (
    Number.isFinite(p.latitude) &&
    Number.isFinite(p.longitude) &&
    Math.abs(p.latitude) <= 90 &&
    Math.abs(p.longitude) <= 180
  );
}

const EARTH_RADIUS_KM = 6371.0088;
const rad = (d: number) => (d * Math.PI) / 180;

/** The great-circle (haversine) distance between two places, in kilometres. */
export function haversineKm(a: LatLng, b: LatLng): number {
  const dLat = rad(b.latitude - a.latitude);
  const dLng = rad(b.longitude - a.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A distance as people say it: "300 m", "2.4 km", "2 km", "35 km". */
export function formatDistance(km: number): string {
  if (km < 1) return `${Math.max(100, Math.round(km * 10) * 100)} m`;
  if (km < 10) return `${Number(km.toFixed(1))} km`;
  return `${Math.round(km)} km`;
}

/**
 * Parses a coordinate typed into a form ("52.52", "52,52", " 13.405 "); null when it is not a number.
 * Empty input is `undefined` (not given).
 */
export function parseDegrees(text: string | undefined): number | null | undefined {
  const t = (text ?? '').trim();
  if (!t) return undefined;
  if (!/^[+-]?\d{1,3}([.,]\d{1,8})?$/.test(t)) return null;
  return Number(t.replace(',', '.'));
}
