// Where the reader probably is, from the browser's languages ("en-GB" → GB), for a sensible first
// choice: the currency coins are priced in, and the country of a new Stripe account. The reader can
// always change either; nothing is decided from this alone.

/** Countries that pay in euros. */
const EURO_AREA: ReadonlySet<string> = new Set(['AT', 'BE', 'CY', 'DE', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PT', 'SI', 'SK']);

/** The two-letter region of the browser's first language ("fr-FR" → FR), else null. */
export function browserRegion(): string | null {
  const languages = typeof navigator === 'undefined' ? [] : [...navigator.languages, navigator.language];
  for (const tag of languages.slice(0, 8)) {
    try {
      const locale = new Intl.Locale(tag);
      // A tag without a region takes its likeliest one ("de" → DE, "en" → US).
      const region = locale.region ?? locale.maximize().region;
      if (region !== undefined && /^[A-Z]{2}$/.test(region)) return region;
    } catch {
      // Not a valid tag: try the next one.
    }
  }
  return null;
}

/** EUR for euro-area regions, GBP for the UK, else USD; one of `sold` when given (its first otherwise). */
export function preferredCurrency(sold?: readonly string[]): string {
  const region = browserRegion();
  const wanted = region === 'GB' ? 'GBP' : region !== null && EURO_AREA.has(region) ? 'EUR' : 'USD';
  if (sold === undefined || sold.length === 0 || sold.includes(wanted)) return wanted;
  return sold.includes('USD') ? 'USD' : (sold[0] ?? wanted);
}
