// Reads an iCalendar document on stdin with ical.js (the parser of Thunderbird's calendar)
// and prints what a client would see, as JSON: method, and per VEVENT uid, sequence, status,
// start/end as UTC ISO instants, organizer, attendees (with their parameters).
// With --lines: reads one JSON string (a document) per line and answers one JSON line each, until stdin closes
// (one process for a whole test session); a document ical.js cannot read answers {"error": "..."}.
"use strict";
const readline = require("readline");
const ICAL = require("ical.js");

function describe(text) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const utc = (time) => (time ? time.toJSDate().toISOString() : null);
  const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      sequence: event.sequence,
      status: vevent.getFirstPropertyValue("status"),
      summary: event.summary,
      location: event.location,
      start: utc(event.startDate),
      end: utc(event.endDate),
      start_is_utc: event.startDate ? event.startDate.zone === ICAL.Timezone.utcTimezone : null,
      organizer: vevent.getFirstPropertyValue("organizer"),
      attendees: vevent.getAllProperties("attendee").map((property) => ({
        value: property.getFirstValue(),
        cn: property.getParameter("cn"),
        role: property.getParameter("role"),
        partstat: property.getParameter("partstat"),
        rsvp: property.getParameter("rsvp"),
      })),
    };
  });
  return {
    method: calendar.getFirstPropertyValue("method"),
    timezones: calendar.getAllSubcomponents("vtimezone").length,
    events,
  };
}

if (process.argv.includes("--lines")) {
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on("line", (line) => {
    let answer;
    try {
      answer = describe(JSON.parse(line));
    } catch (error) {
      answer = { error: String(error) };
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
  });
} else {
  const chunks = [];
  process.stdin.on("data", (chunk) => chunks.push(chunk));
  process.stdin.on("end", () => {
    process.stdout.write(JSON.stringify(describe(Buffer.concat(chunks).toString("utf8"))));
  });
}
