/**
 * The result type of every fallible function in the verifier.
 *
 * Verification runs on data from someone else, so failing is an expected
 * outcome, not an exception: functions return a `Result` and never throw on
 * bad input (they only throw on programming errors, such as a wrong
 * argument type, which strict TypeScript already rules out).
 */

/** Success with a value, or failure with an error. */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E }

/** A success. */
export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value }
}

/** A failure. */
export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error }
}
