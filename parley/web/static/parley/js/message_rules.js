// @ts-check
// Who may do what to a message, as data: edit (the author, within the edit window), delete (the
// author, or a moderator), message its author (not oneself, not the one other person of this
// direct room). No DOM: message_actions.js shows the buttons these allow, and the editor checks
// them again before it opens.

/** @typedef {import("./conversation_model.js").MessageState} MessageState */
/** @typedef {import("./socket.js").Frame} Frame */

/**
 * May `me` edit the message now?
 * @param {MessageState} state
 * @param {{me: string, canPost: boolean, editWindowSeconds: number, now?: number}} who
 *   editWindowSeconds 0: no limit
 */
export function canEdit(state, { me, canPost, editWindowSeconds, now = Date.now() }) {
  if (state.author !== me || state.deleted || !canPost) return false;
  if (!editWindowSeconds) return true;
  const age = now - Date.parse(state.ts ?? "");
  return age < editWindowSeconds * 1000;
}

/**
 * May `me` delete the message?
 * @param {MessageState} state
 * @param {{me: string, canPost: boolean, canModerate: boolean}} who
 */
export function canDelete(state, { me, canPost, canModerate }) {
  if (state.deleted || !canPost) return false;
  return state.author === me || canModerate;
}

/**
 * May `me` start a direct conversation with `name` from here?
 * @param {string | null} name
 * @param {{me: string, isDirect: boolean, directUsers: string[]}} room
 */
export function canMessage(name, { me, isDirect, directUsers }) {
  if (name === null || name === me) return false;
  return !(isDirect && directUsers.length === 1 && directUsers[0] === name);
}

/**
 * What to tell the reader about a refused request.
 * @param {Frame} reply
 */
export function errorText(reply) {
  return reply.message || reply.code || "Something went wrong.";
}
