/**
 * Answering turns, one at a time per remote user across all of that user's connections, in
 * the order asked. A peer that opens many connections and asks on all of them at once gets no
 * more of this device's time than one connection would: the others (an honest member, the
 * app's own writes) keep their share. Measured: six connections of one admitted user asking
 * for full pages of records kept an honest peer from acknowledging a local write for 10-13 s,
 * and made it drop an honest member.
 */
export class AnswerTurns {
  /** Per user: the end of the last turn handed out; gone once it has ended. */
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(user: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(user);
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const tail = before ? before.then(() => mine) : mine;
    this.tails.set(user, tail);
    try {
      await before;
      return await work();
    } finally {
      done();
      if (this.tails.get(user) === tail) this.tails.delete(user);
    }
  }

  /** Users with a turn running or waiting (a bound for tests: it returns to 0). */
  get size(): number {
    return this.tails.size;
  }
}
