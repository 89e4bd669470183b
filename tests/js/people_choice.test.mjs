import assert from "node:assert/strict";
import { test } from "node:test";

import { PeopleChoice, searchUrl } from "../../parley/web/static/parley/js/people_choice.js";

test("ticked people stay chosen across searches", () => {
  const choice = new PeopleChoice();
  choice.set("bob", true);
  choice.set("carol", true);
  // A search now lists other people: both are still chosen, shown apart.
  assert.deepEqual(choice.elsewhere(["dave", "erin"]), ["bob", "carol"]);
  // A search that lists bob shows him in place.
  assert.deepEqual(choice.elsewhere(["bob", "dave"]), ["carol"]);
  choice.set("carol", false);
  assert.deepEqual(choice.elsewhere([]), ["bob"]);
  assert.ok(choice.has("bob") && !choice.has("carol"));
});

test("starts from the people the page was drawn with", () => {
  const choice = new PeopleChoice(["zed", "amy"]);
  assert.deepEqual(choice.elsewhere([]), ["amy", "zed"]);
});

test("the summary counts people", () => {
  const choice = new PeopleChoice();
  assert.equal(choice.summary(), "No one chosen yet.");
  choice.set("bob", true);
  assert.equal(choice.summary(), "1 person chosen.");
  choice.set("bob", true);
  choice.set("amy", true);
  assert.equal(choice.summary(), "2 people chosen.");
});

test("the search address carries the trimmed query, or none", () => {
  assert.equal(searchUrl("/rooms/t/people/", "  bo b "), "/rooms/t/people/?q=bo+b");
  assert.equal(searchUrl("/rooms/t/people/", "   "), "/rooms/t/people/");
  assert.equal(searchUrl("/rooms/t/people/", "a&q=x"), "/rooms/t/people/?q=a%26q%3Dx");
});
