import type { PatientInsight } from '@gratia/db';

// The "Insight" card of a patient's page: A/B/C with growth, the loyalty quadrant with its reasons,
// engagement and (when it applies) why the patient is on the win-back list. It renders the insight row
// readPatientOverview already reads in its one batch: no query of its own.

const QUADRANT_TEXT: Record<PatientInsight['quadrant'], string> = {
  apostle: 'Apostle: satisfied and loyal',
  mercenary: 'Mercenary: satisfied, not loyal',
  hostage: 'Hostage: loyal, not satisfied',
  defector: 'Defector: neither satisfied nor loyal',
  unknown: 'Unknown: no survey answer yet',
};

const GROWTH_TEXT: Record<NonNullable<PatientInsight['growth']>, string> = {
  new: 'new this year',
  rising: 'spending more than the year before',
  steady: 'spending as the year before',
  falling: 'spending less than the year before',
  lapsed: 'no spend in 12 months',
};

export function InsightCard(props: { insight: PatientInsight | null }) {
  const i = props.insight;
  return (
    <section class="card" aria-labelledby="insight">
      <h2 id="insight">Insight</h2>
      {i === null ? (
        <p class="muted">Nothing known yet: insight appears after the first visit or answer.</p>
      ) : (
        <>
          <div class="figures">
            <div class="figure">
              Class <strong>{i.abcClass ?? '–'}</strong>
              {i.growth ? GROWTH_TEXT[i.growth] : 'no visit yet'}
            </div>
            <div class="figure">
              Engagement <strong>{i.engagement}/100</strong>
              {i.engagementPrev === null ? 'first month' : `last month ${i.engagementPrev}`}
            </div>
          </div>
          <p>
            <strong>{QUADRANT_TEXT[i.quadrant]}</strong>
          </p>
          {i.reasons.length ? (
            <ul aria-label="Why">
              {i.reasons.map((r) => (
                <li>{r}</li>
              ))}
            </ul>
          ) : null}
          {i.winBack ? (
            <p class="status bad" role="status">
              Win back: {i.winBackReason}
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
