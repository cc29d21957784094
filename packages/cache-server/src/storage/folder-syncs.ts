/**
 * Group commit for folder fsyncs: a caller joins the next sync that starts
 * after its call (never one already under way, which may predate the link it
 * needs made durable), so concurrent uploads into one folder share a sync
 * instead of queueing one each. A failed sync fails only the callers it was
 * for; later callers get a fresh one.
 */
export class FolderSyncs {
  private readonly pending = new Map<string, { running: Promise<void>; queued?: Promise<void> }>();

  constructor(private readonly syncFolder: (folder: string) => Promise<void>) {}

  sync(folder: string): Promise<void> {
    const entry = this.pending.get(folder);
    if (!entry) return this.start(folder);
    entry.queued ??= entry.running.then(
      () => this.start(folder),
      () => this.start(folder),
    );
    return entry.queued;
  }

  private start(folder: string): Promise<void> {
    const entry: { running: Promise<void>; queued?: Promise<void> } = { running: Promise.resolve() };
    this.pending.set(folder, entry);
    entry.running = this.syncFolder(folder).finally(() => {
      if (!entry.queued && this.pending.get(folder) === entry) this.pending.delete(folder);
    });
    return entry.running;
  }
}
