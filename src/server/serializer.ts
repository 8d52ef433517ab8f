/**
 * Runs statement executions one at a time. The engine's session properties are one map, so a
 * request's properties are put in place, its statements run, and the previous ones restored,
 * without another request's statements seeing them.
 */
export class Serializer {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
