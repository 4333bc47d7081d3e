/**
 * Label values that come from clients (verbs, error codes) are bounded: every distinct value
 * is a time series in Prometheus, so a client sending random verbs must not grow them for
 * ever. The first `max` distinct values keep their name; later ones become `other`.
 */
export class BoundedLabel {
  readonly #seen = new Set<string>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  /** `raw` when it is known or there is room, otherwise `other`. */
  value(raw: string): string {
    if (this.#seen.has(raw)) return raw;
    if (this.#seen.size >= this.#max) return 'other';
    this.#seen.add(raw);
    return raw;
  }
}
