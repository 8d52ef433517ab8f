/**
 * The producers and consumers a log made: closed with the log, and forgotten as soon as one
 * closes itself, so a long-lived log does not accumulate them. Shared by KafkaLog and
 * NamespacedKafkaLog.
 */
export interface Closable {
  close(): Promise<void>;
}

export class ClientSet {
  private readonly clients = new Set<Closable>();
  private closed = false;

  /** Adds a client; throws once the set is closed. */
  track<T extends Closable>(client: T): T {
    if (this.closed) throw new Error('log is closed');
    this.clients.add(client);
    const close = client.close.bind(client);
    client.close = async () => {
      this.clients.delete(client);
      await close();
    };
    return client;
  }

  values(): IterableIterator<Closable> {
    return this.clients.values();
  }

  /** Closes every client (once); false when the set was closed already. */
  async close(): Promise<boolean> {
    if (this.closed) return false;
    this.closed = true;
    const clients = [...this.clients];
    this.clients.clear();
    await Promise.allSettled(clients.map((c) => c.close()));
    return true;
  }
}
