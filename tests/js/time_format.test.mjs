import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  dayKey,
  dayLabel,
  fullTimestamp,
  shortTimeOfDay,
  timeOfDay,
} from "../../parley/web/static/parley/js/time_format.js";

const BERLIN = "Europe/Berlin";
const NEW_YORK = "America/New_York";
// 16:05 UTC: 17:05 in Berlin, 11:05 in New York.
const AFTERNOON = "2026-12-07T16:05:00Z";

describe("timeOfDay", () => {
  it("uses the locale's own 12 or 24 hours", () => {
    assert.equal(timeOfDay(AFTERNOON, { locale: "en-GB", timeZone: BERLIN }), "17:05");
    assert.equal(timeOfDay(AFTERNOON, { locale: "de-DE", timeZone: BERLIN }), "17:05");
    assert.match(timeOfDay(AFTERNOON, { locale: "en-US", timeZone: BERLIN }), /^5:05\sPM$/);
  });

  it("writes a 24-hour locale's morning hours with two digits, a 12-hour one's with one", () => {
    const morning = "2026-12-07T06:05:00Z";
    assert.equal(timeOfDay(morning, { locale: "en-GB", timeZone: BERLIN }), "07:05");
    assert.match(timeOfDay(morning, { locale: "en-US", timeZone: BERLIN }), /^7:05\sAM$/);
    assert.equal(shortTimeOfDay(morning, { locale: "en-US", timeZone: BERLIN }), "7:05");
  });

  it("is the time in the reader's time zone", () => {
    assert.match(timeOfDay(AFTERNOON, { locale: "en-US", timeZone: NEW_YORK }), /^11:05\sAM$/);
  });

  it("is empty for an unreadable or missing time", () => {
    assert.equal(timeOfDay("not a time"), "");
    assert.equal(timeOfDay(undefined), "");
    assert.equal(timeOfDay(""), "");
  });
});

describe("shortTimeOfDay", () => {
  it("drops AM/PM but keeps the locale's hours", () => {
    assert.equal(shortTimeOfDay(AFTERNOON, { locale: "en-US", timeZone: BERLIN }), "5:05");
    assert.equal(shortTimeOfDay(AFTERNOON, { locale: "en-GB", timeZone: BERLIN }), "17:05");
  });
});

describe("fullTimestamp", () => {
  it("names the day, the date and the time", () => {
    const text = fullTimestamp(AFTERNOON, { locale: "en-GB", timeZone: BERLIN });
    assert.match(text, /Monday/);
    assert.match(text, /7 December 2026/);
    assert.match(text, /17:05:00/);
  });
});

describe("dayKey", () => {
  it("is the calendar day in the time zone", () => {
    // 23:30 UTC on the 7th is already the 8th in Berlin, still the 7th in New York.
    assert.equal(dayKey("2026-12-07T23:30:00Z", { timeZone: BERLIN }), "2026-12-08");
    assert.equal(dayKey("2026-12-07T23:30:00Z", { timeZone: NEW_YORK }), "2026-12-07");
  });
});

describe("dayLabel", () => {
  const now = new Date("2026-12-07T10:00:00Z");
  const gb = { locale: "en-GB", timeZone: BERLIN };

  it("says Today and Yesterday", () => {
    assert.equal(dayLabel("2026-12-07T00:30:00+01:00", now, gb), "Today");
    assert.equal(dayLabel("2026-12-06T23:59:00+01:00", now, gb), "Yesterday");
  });

  it("names the weekday and date, in the locale's words, without this year", () => {
    assert.equal(dayLabel("2026-12-01T12:00:00Z", now, gb), "Tuesday 1 December");
    assert.equal(
      dayLabel("2026-12-01T12:00:00Z", now, { locale: "en-US", timeZone: NEW_YORK }),
      "Tuesday, December 1",
    );
    assert.equal(dayLabel("2026-12-01T12:00:00Z", now, { locale: "de-DE", timeZone: BERLIN }), "Dienstag, 1. Dezember");
  });

  it("adds the year when it is not this year", () => {
    // ICU puts a comma after the weekday when the year is there, in en-GB too.
    assert.match(dayLabel("2025-12-30T12:00:00Z", now, gb), /^Tuesday,? 30 December 2025$/);
  });

  it("counts days in the time zone, not in UTC", () => {
    // 23:30 UTC on the 6th is the 7th in Berlin (Today) but the 6th in New York (Yesterday).
    assert.equal(dayLabel("2026-12-06T23:30:00Z", now, gb), "Today");
    const ny = { locale: "en-US", timeZone: NEW_YORK };
    assert.equal(dayLabel("2026-12-06T23:30:00Z", now, ny), "Yesterday");
  });

  it("is 'Yesterday' across a change of year", () => {
    const newYear = new Date("2027-01-01T09:00:00Z");
    assert.equal(dayLabel("2026-12-31T20:00:00Z", newYear, gb), "Yesterday");
  });

  it("is empty for an unreadable time", () => {
    assert.equal(dayLabel("nope", now, gb), "");
  });
});
