/**
 * What `promise` rejected with, for a test to look into; a promise that resolves fails the test.
 * The type says what the test expects to read from the error; nothing checks it at run time.
 */
export async function rejection<E = Error & Record<string, unknown>>(promise: Promise<unknown>): Promise<E> {
  return promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: E) => error,
  );
}
