import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { dndText, localTime } from "../../parley/web/static/parley/js/profile_text.js";

const NOW = new Date("2026-12-07T12:00:00Z");
const GB = { locale: "en-GB", timeZone: "Europe/London" };

describe("localTime", () => {
  it("tells the person's time of day in their zone", () => {
    assert.equal(localTime("Asia/Tokyo", NOW, GB), "21:00 local time (Asia/Tokyo)");
    assert.equal(localTime("America/New_York", NOW, GB), "07:00 local time (America/New York)");
  });

  it("says nothing for no zone or an unknown one", () => {
    assert.equal(localTime("", NOW, GB), "");
    assert.equal(localTime("Mars/Olympus", NOW, GB), "");
  });
});

describe("dndText", () => {
  it("tells when do not disturb ends, in the reader's time", () => {
    assert.equal(dndText("2026-12-07T14:00:00.000Z", NOW, GB), "Do not disturb until 14:00");
    const paris = { locale: "en-GB", timeZone: "Europe/Paris" };
    assert.equal(dndText("2026-12-07T14:00:00.000Z", NOW, paris), "Do not disturb until 15:00");
  });

  it("names the day when it ends on another one", () => {
    assert.equal(dndText("2026-12-08T09:30:00.000Z", NOW, GB), "Do not disturb until Tue 09:30");
  });

  it("says nothing when it is not on", () => {
    assert.equal(dndText(null, NOW, GB), "");
    assert.equal(dndText("2026-12-07T11:59:00.000Z", NOW, GB), "");
    assert.equal(dndText("not a date", NOW, GB), "");
  });
});
