// fixture: urltestdata.json
// The Web Platform Tests' URL parsing cases (test/fixtures/urltestdata.json, BSD-3-Clause), run
// against the guest's URL inside the isolate.
import { test, assert, run } from './harness.ts';
import cases from './fixture.js';

interface Case { input: string; base: string | null; failure?: boolean; href?: string; origin?: string; protocol?: string; username?: string; password?: string; host?: string; hostname?: string; port?: string; pathname?: string; search?: string; hash?: string }
const FIELDS = ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash'] as const;

const failures: string[] = [];
let total = 0;
for (const entry of cases as unknown[]) {
  if (typeof entry === 'string') continue; // a comment
  const c = entry as Case;
  total++;
  const label = `${JSON.stringify(c.input)} against ${JSON.stringify(c.base)}`;
  let url: URL | undefined;
  let error: unknown;
  try { url = c.base === null ? new URL(c.input) : new URL(c.input, c.base); } catch (e) { error = e; }
  if (c.failure === true) {
    const canParse = c.base === null ? URL.canParse(c.input) : URL.canParse(c.input, c.base);
    if (!(error instanceof TypeError) || canParse) failures.push(`${label}: expected failure`);
    continue;
  }
  if (url === undefined) { failures.push(`${label}: threw ${String(error)}`); continue; }
  const wrong = FIELDS.filter((f) => c[f] !== undefined && (url as URL)[f] !== c[f]).map((f) => `${f} ${JSON.stringify((url as URL)[f])} != ${JSON.stringify(c[f])}`);
  if (wrong.length > 0) failures.push(`${label}: ${wrong.join(', ')}`);
}
const passed = total - failures.length;

test(`WPT urltestdata.json: ${passed} of ${total} cases pass (${((passed / total) * 100).toFixed(2)}%; target 99%)`, () => {
  assert.ok(total > 800, `only ${total} cases loaded`);
  assert.ok(passed / total >= 0.99, `${failures.length} failures:\n${failures.slice(0, 30).join('\n')}`);
});

test('the only WPT URL failures are the two opaque-path cases documented in docs/guest-apis.md', () => {
  // The fixture predates the URL standard's 2025 change that keeps spaces before "?" or "#" in an
  // opaque path as "%20"; Node's parser (ada) follows the new text.
  assert.deepEqual(failures.map((f) => f.slice(0, f.indexOf(' against '))), ['"non-special:opaque  ?hi"', '"non-special:opaque  #hi"']);
});

export default run;
