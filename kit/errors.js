// The kit's errors: an Error named "ReelDBError" with a stable `code`, as
// the wasm module's own errors are (README, "Errors").

/**
 * @param {string} code a stable code, e.g. "BAD_OPTION"
 * @param {string} message what is wrong, for people
 * @returns {Error & {code: string}}
 */
export function coded(code, message) {
  return Object.assign(new Error(message), { name: "ReelDBError", code });
}
