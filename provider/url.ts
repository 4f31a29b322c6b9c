/**
 * What every URL input shares. The WHATWG parser trims spaces and drops tabs and newlines without
 * a word, so a URL that parses here may still reach the client, or a log, with them inside.
 */

/** Whitespace or a control character (C0, DEL, C1), anywhere in the value. */
const SPACE_OR_CONTROL = /[\s\p{Cc}]/u;

/** Why a URL holding whitespace or a control character is refused; check reports it as the reason. */
export const URL_SPACE_OR_CONTROL_REASON =
  "must not contain whitespace or control characters (a space, tab or newline): the URL parser drops them silently";

export function hasSpaceOrControl(value: string): boolean {
  return SPACE_OR_CONTROL.test(value);
}
