// The Web Push subscription as the server's contract wants it (docs/protocol.md, "Web Push").
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { base64UrlBytes, subscriptionBody } from "../../parley/web/static/parley/js/web_push.js";

describe("web push", () => {
  test("a base64url key becomes its bytes, padding or not", () => {
    assert.deepEqual([...base64UrlBytes("-_8")], [0xfb, 0xff]);
    assert.deepEqual([...base64UrlBytes("AQID")], [1, 2, 3]);
  });

  test("an uncompressed P-256 key is 65 bytes starting with 4", () => {
    const key = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString("base64url");
    const bytes = base64UrlBytes(key);
    assert.equal(bytes.length, 65);
    assert.equal(bytes[0], 4);
  });

  test("the body posted is the endpoint and the two keys only", () => {
    const json = { endpoint: "https://push.example/1", expirationTime: null, keys: { p256dh: "p", auth: "a" } };
    assert.deepEqual(subscriptionBody(json), { endpoint: "https://push.example/1", keys: { p256dh: "p", auth: "a" } });
  });

  test("a subscription without its keys is not posted", () => {
    assert.equal(subscriptionBody({ endpoint: "https://push.example/1" }), null);
    assert.equal(subscriptionBody({ endpoint: "https://push.example/1", keys: { p256dh: "p" } }), null);
  });
});
