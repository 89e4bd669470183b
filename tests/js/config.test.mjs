// The page's config: read from the server's json_script, never made up.
import assert from "node:assert/strict";
import { test } from "node:test";

import { clientConfig, readJsonScript } from "../../parley/web/static/parley/js/config.js";

const page = (elements) => ({
  getElementById: (id) => (id in elements ? { textContent: elements[id] } : null),
});

test("readJsonScript parses the element's JSON, or gives the fallback", () => {
  const doc = page({ data: '{"a": [1, 2]}', broken: "{" });
  assert.deepEqual(readJsonScript("data", null, doc), { a: [1, 2] });
  assert.equal(readJsonScript("broken", "fallback", doc), "fallback");
  assert.equal(readJsonScript("missing", 7, doc), 7);
});

test("a page without #client-config is an error, not a guess", () => {
  assert.throws(() => clientConfig(page({})), /client-config/);
});

test("the config is read once, from the page", () => {
  const config = {
    closeCodes: { RATE_LIMITED: 4429 },
    historyMax: 200,
    historyPage: 50,
    maxBody: 4000,
    typingShowSeconds: 6,
  };
  assert.deepEqual(clientConfig(page({ "client-config": JSON.stringify(config) })), config);
  assert.deepEqual(clientConfig(page({})), config);
});
