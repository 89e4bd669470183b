// User text: its length as the server counts it.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { codePointLength } from "../../parley/web/static/parley/js/text.js";

describe("lengths", () => {
  test("length counts code points, as the server does", () => {
    assert.equal(codePointLength("héllo"), 5);
    assert.equal(codePointLength("👩‍💻"), 3);
    assert.equal(codePointLength(""), 0);
  });
});
