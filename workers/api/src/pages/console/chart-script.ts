// The console's report charts: draws every <figure data-chart> with Chart.js (the vendored library,
// loaded before this script) from the JSON in its <script type="application/json">, into its canvas.
// The table in the same figure holds the same figures and stays the source of truth: without script,
// or if a chart cannot be drawn, the table is what there is. A spec may ask for `stacked` bars, or a
// `doughnut` (one series, a colour per label).
export const CHART_SCRIPT = `(() => {
  if (!window.Chart) return;
  const palette = ['#7a4b2a', '#1d4f91', '#1e6b3a', '#a12a2a', '#5b6170'];
  const lang = document.documentElement.lang || 'en-GB';
  const formatters = {
    count: (spec) => new Intl.NumberFormat(lang, { maximumFractionDigits: 0 }),
    points: (spec) => new Intl.NumberFormat(lang, { maximumFractionDigits: 0 }),
    money: (spec) => new Intl.NumberFormat(lang, { style: 'currency', currency: spec.currency }),
    percent: (spec) => new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 }),
  };
  for (const figure of document.querySelectorAll('figure[data-chart]')) {
    const canvas = figure.querySelector('canvas');
    const source = figure.querySelector('script[type="application/json"]');
    if (!canvas || !source) continue;
    let spec;
    try {
      spec = JSON.parse(source.textContent);
    } catch {
      continue;
    }
    const format = (formatters[spec.unit] || formatters.count)(spec);
    const round = spec.type === 'doughnut';
    const whole = !spec.unit || spec.unit === 'count' || spec.unit === 'points';
    const value = (ctx) => (round ? ctx.parsed : ctx.parsed.y);
    new window.Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.series.map((s, i) => ({
          label: s.label,
          data: s.values,
          backgroundColor: round ? spec.labels.map((_, j) => palette[j % palette.length]) : palette[i % palette.length],
          borderColor: round ? '#fff' : palette[i % palette.length],
          borderWidth: spec.type === 'line' ? 2 : round ? 1 : 0,
          pointRadius: spec.type === 'line' ? 2 : 0,
          spanGaps: true,
        })),
      },
      options: {
        animation: false,
        responsive: true,
        aspectRatio: 1.8,
        interaction: { mode: 'index', intersect: false },
        plugins: {
          legend: { display: round || spec.series.length > 1, position: 'bottom' },
          tooltip: {
            callbacks: {
              label: (ctx) =>
                (round ? ctx.label : ctx.dataset.label) + ': ' + (value(ctx) === null ? '–' : format.format(value(ctx))),
            },
          },
        },
        scales: round
          ? {}
          : {
              x: { stacked: !!spec.stacked },
              y: {
                stacked: !!spec.stacked,
                beginAtZero: true,
                // Counts and points get whole ticks: no "1.5 patients" on the axis.
                ticks: { callback: (v) => format.format(v), precision: whole ? 0 : undefined },
              },
            },
      },
    });
    figure.classList.add('charted');
  }
})();
`;
