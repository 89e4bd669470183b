// @ts-check
// Who may post in the open room, kept live from the room's own events (docs/protocol.md,
// "Events"): read_only and archive change the room, role and owner change what the reader is in
// it; each `subscribed` restates the room's read_only/archived. The server decides (a refused
// send is `forbidden`); this only closes the message box before the user types into a room that
// would refuse them. Also the words of those events' timeline lines. Pure: no DOM.

/**
 * @typedef {object} RoomRights
 * @property {boolean} readOnly  only the owner, moderators and staff post
 * @property {boolean} archived  nobody posts
 * @property {boolean} owner  the reader owns the room
 * @property {boolean} moderator  the reader is one of its moderators
 * @property {boolean} staff  the reader is staff
 * @property {number} asOf  the seq these rights are as of: older events do not change them
 */

/**
 * @typedef {object} RoomEvent
 * @property {string} [type]
 * @property {number} seq
 * @property {string} [kind]
 * @property {{username: string | null}} [user]
 * @property {{username: string | null}} [by]
 * @property {{username: string | null} | null} [previous]
 * @property {string} [name]
 * @property {boolean} [on]
 * @property {boolean} [archived]
 * @property {string} [role]
 */

export const ARCHIVED_NOTE = "This room is archived: it is read-only.";
export const READ_ONLY_NOTE = "Only the room's owner and moderators post in this read-only room.";

/**
 * The rights after `event` (any timeline item; only a newer event changes them).
 * @param {RoomRights} rights
 * @param {RoomEvent} event
 * @param {string} me
 * @returns {RoomRights}
 */
export function rightsAfter(rights, event, me) {
  if (event.type !== "event" || !(event.seq > rights.asOf)) return rights;
  const next = { ...rights, asOf: event.seq };
  const subject = event.user?.username ?? null;
  switch (event.kind) {
    case "read_only":
      next.readOnly = Boolean(event.on);
      break;
    case "archive":
      next.archived = Boolean(event.archived);
      break;
    case "role":
      if (subject === me) next.moderator = event.role === "moderator";
      break;
    case "owner":
      if (subject === me) next.owner = true;
      else if (event.previous?.username === me) {
        // A former owner stays as a moderator (docs/administration.md, "Roles").
        next.owner = false;
        next.moderator = true;
      }
      break;
    default:
      return rights;
  }
  return next;
}

/**
 * The room's state as a `subscribed` reply says it (`read_only`/`archived` only when so): the
 * same rights when nothing differs. The reply is as of its `last_seq`, so it does not undo a
 * newer event already applied. `asOf` stays: the backlog that follows the reply replays the
 * events up to `last_seq` in order (role and owner too), ending where the reply says.
 * @param {{last_seq?: unknown, read_only?: unknown, archived?: unknown}} reply
 * @param {RoomRights} rights
 * @returns {RoomRights}
 */
export function roomStateOf(reply, rights) {
  if (typeof reply.last_seq === "number" && reply.last_seq < rights.asOf) return rights;
  const readOnly = reply.read_only === true;
  const archived = reply.archived === true;
  if (readOnly === rights.readOnly && archived === rights.archived) return rights;
  return { ...rights, readOnly, archived };
}

/**
 * Why the reader may not post now ("" when they may).
 * @param {RoomRights} rights
 */
export function postRefusal(rights) {
  if (rights.archived) return ARCHIVED_NOTE;
  if (rights.readOnly && !(rights.owner || rights.moderator || rights.staff)) return READ_ONLY_NOTE;
  return "";
}

/**
 * What an event's line says after its user's name ("joined the room", "renamed the room to
 * “Town square”"), with who did it when that was someone else.
 * @param {RoomEvent} event
 */
export function eventText(event) {
  const by = event.by?.username ? ` by ${event.by.username}` : "";
  switch (event.kind) {
    case "join":
      return "joined the room";
    case "leave":
      return by ? `was removed${by}` : "left the room";
    case "rename":
      return `renamed the room to “${event.name ?? ""}”`;
    case "read_only":
      return event.on ? "made the room read-only" : "let everyone post again";
    case "archive":
      return event.archived ? "archived the room" : "brought the room back from the archive";
    case "owner":
      return `became the owner${by ? ` (given${by})` : ""}`;
    case "role":
      return event.role === "moderator" ? `was made a moderator${by}` : `is no longer a moderator${by ? ` (changed${by})` : ""}`;
    default:
      return String(event.kind ?? "event");
  }
}
