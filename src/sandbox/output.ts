/** Captured guest output with a byte cap: what passes the cap is dropped and flagged, not an error. */

/** One capped output stream. */
export class OutputCapture {
  readonly #cap: number;
  #chunks: string[] = [];
  #bytes = 0;
  #truncated = false;

  constructor(capBytes: number) { this.#cap = capBytes; }

  /** Appends text, keeping only what fits under the cap (cut on a character boundary). */
  write(text: string): void {
    if (this.#truncated) return;
    const size = Buffer.byteLength(text);
    if (this.#bytes + size <= this.#cap) {
      this.#chunks.push(text);
      this.#bytes += size;
      return;
    }
    this.#truncated = true;
    const room = this.#cap - this.#bytes;
    if (room <= 0) return;
    const bytes = Buffer.from(text).subarray(0, room);
    let kept = bytes.toString('utf8');
    if (kept.endsWith('\uFFFD') && !text.startsWith(kept)) kept = kept.slice(0, -1);
    this.#chunks.push(kept);
    this.#bytes += Buffer.byteLength(kept);
  }

  get text(): string { return this.#chunks.join(''); }
  get truncated(): boolean { return this.#truncated; }
}
