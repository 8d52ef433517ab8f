/**
 * The windows being updated, kept in memory in front of a window store's key-value stack: the
 * window aggregation's read-modify-write of (record key, window start) costs two small Map
 * lookups, without building the window's store key (segment + length + key + start, a string of
 * ~30 characters hashed anew per update in a cache of up to 10^5 entries, which cost more than
 * the aggregation itself) and without going through the layers beneath.
 *
 * Layout: window start → record key text → slot. The starts are few (the open windows: size /
 * advance of them, plus late ones), so closing a window (WindowStore.advanceTime) or evicting
 * under memory pressure drops a whole start at once. Each slot is charged to the registry's
 * cache budget (./cache-budget.ts).
 *
 * Invariants: a slot's `value` is the window's current value (undefined: the window holds
 * nothing), and, when not `dirty`, equal to the value in the store beneath; `bytes` is the sum of
 * the slots' `size`, which is what this structure has charged to `budget`.
 */
import { approximateSize, MAP_SLOT_BYTES, POINTER_BYTES, type CacheBudget } from './cache-budget.ts';

export interface OpenWindow<V> {
  value: V | undefined;
  dirty: boolean;
  size: number;
  /** Updates since the size was last estimated. */
  updates: number;
}

/**
 * A slot's size is estimated again on every this many updates (and when it is added): aggregate
 * states keep their size from update to update, and walking the value on each one would cost
 * more than the update; a growing value (COLLECT_LIST) is caught up with at most this late.
 */
const RESIZE_EVERY = 16;

/** Up to this many starts, a start is found by scanning an array rather than through a Map. */
const SCAN_LIMIT = 24;

/** A slot's charge: the slot object (4 fields) and its Map slot, the record key string the Map keeps, the value. */
function slotSize(recordKey: string, value: unknown): number {
  return 7 * POINTER_BYTES + MAP_SLOT_BYTES + approximateSize(recordKey) + (value === undefined ? 0 : approximateSize(value, 3));
}

export class OpenWindows<V> {
  private readonly byStart = new Map<number, Map<string, OpenWindow<V>>>();
  /**
   * The same starts and maps as `byStart`, in arrays scanned before it: the open windows of a
   * record are a handful of starts, and times (not small integers) are slow Map keys. Only used
   * while there are at most SCAN_LIMIT starts.
   */
  private readonly startList: number[] = [];
  private readonly mapList: Map<string, OpenWindow<V>>[] = [];
  /**
   * Starts whose map holds every window of that start there is (created when the store beneath
   * could hold none of them, and never partly dropped since): a key missing there is absent.
   */
  private readonly complete = new Set<number>();
  private readonly budget: CacheBudget;
  /** The last start looked up and its map (consecutive updates of one record hit few starts). */
  private lastStart = Number.NaN;
  private lastMap: Map<string, OpenWindow<V>> | undefined = undefined;
  /** The last slot found or added (an aggregation's get then put of one window): undefined once dropped. */
  private lastSlot: OpenWindow<V> | undefined = undefined;
  private lastSlotStart = Number.NaN;
  private lastSlotKey = '';
  bytes = 0;
  slots = 0;

  constructor(budget: CacheBudget) {
    this.budget = budget;
  }

  get exceeded(): boolean {
    return this.budget.exceeded;
  }

  get(start: number, recordKey: string): OpenWindow<V> | undefined {
    if (start === this.lastSlotStart && recordKey === this.lastSlotKey && this.lastSlot !== undefined) return this.lastSlot;
    const slot = this.windows(start)?.get(recordKey);
    if (slot !== undefined) this.remember(start, recordKey, slot);
    return slot;
  }

  private remember(start: number, recordKey: string, slot: OpenWindow<V>): void {
    this.lastSlot = slot;
    this.lastSlotStart = start;
    this.lastSlotKey = recordKey;
  }

  /** Whether the start's map holds all its windows (a miss there means the window is absent). */
  isComplete(start: number): boolean {
    return this.complete.has(start);
  }

  /**
   * Adds a slot for a window not held yet; `complete`: when the start is new here, the store
   * beneath holds no window of it.
   */
  insert(start: number, recordKey: string, value: V | undefined, dirty: boolean, complete: boolean): OpenWindow<V> {
    let m = this.windows(start);
    if (m === undefined) {
      m = new Map();
      this.byStart.set(start, m);
      this.startList.push(start);
      this.mapList.push(m);
      if (complete) this.complete.add(start);
      this.lastStart = start;
      this.lastMap = m;
    }
    const size = slotSize(recordKey, value);
    const slot: OpenWindow<V> = { value, dirty, size, updates: 0 };
    m.set(recordKey, slot);
    this.remember(start, recordKey, slot);
    this.slots++;
    this.charge(size);
    return slot;
  }

  update(recordKey: string, slot: OpenWindow<V>, value: V | undefined): void {
    // A slot inserted without a value (a window read as absent) was charged for no value: its
    // first value is charged at once (most windows of a hopping aggregation get a few updates).
    const hadValue = slot.value !== undefined;
    slot.value = value;
    slot.dirty = true;
    if (++slot.updates < RESIZE_EVERY && value !== undefined && hadValue) return;
    slot.updates = 0;
    const size = slotSize(recordKey, value);
    this.charge(size - slot.size);
    slot.size = size;
  }

  remove(start: number, recordKey: string): void {
    const m = this.windows(start);
    const slot = m?.get(recordKey);
    if (slot === undefined) return;
    m!.delete(recordKey);
    this.lastSlot = undefined;
    this.slots--;
    this.charge(-slot.size);
  }

  /** Window starts held, in no particular order (collect first to drop while iterating). */
  starts(): IterableIterator<number> {
    return this.byStart.keys();
  }

  /** The lowest start held, or undefined when empty. */
  oldestStart(): number | undefined {
    let min: number | undefined;
    for (const s of this.byStart.keys()) if (min === undefined || s < min) min = s;
    return min;
  }

  /** Calls `f` for each slot of a start (the map is not to be changed meanwhile). */
  forEach(start: number, f: (slot: OpenWindow<V>, recordKey: string) => void): void {
    // Map.prototype.forEach: no [key, value] pair per entry (a for-of over the entries makes one,
    // which at a commit is one short-lived array per dirty window).
    this.byStart.get(start)?.forEach(f);
  }

  /** Forgets every slot of a start (the caller wrote down what had to be). */
  dropStart(start: number): void {
    const m = this.byStart.get(start);
    if (m === undefined) return;
    let bytes = 0;
    for (const slot of m.values()) bytes += slot.size;
    this.byStart.delete(start);
    const i = this.startList.indexOf(start);
    this.startList.splice(i, 1);
    this.mapList.splice(i, 1);
    this.complete.delete(start);
    if (start === this.lastStart) this.lastMap = undefined;
    this.lastSlot = undefined;
    this.slots -= m.size;
    this.charge(-bytes);
  }

  clear(): void {
    this.byStart.clear();
    this.startList.length = 0;
    this.mapList.length = 0;
    this.complete.clear();
    this.lastMap = undefined;
    this.lastSlot = undefined;
    this.lastStart = Number.NaN;
    this.slots = 0;
    this.charge(-this.bytes);
  }

  private windows(start: number): Map<string, OpenWindow<V>> | undefined {
    if (start === this.lastStart && this.lastMap !== undefined) return this.lastMap;
    let m: Map<string, OpenWindow<V>> | undefined;
    const list = this.startList;
    if (list.length <= SCAN_LIMIT) {
      for (let i = 0; i < list.length; i++) {
        if (list[i] === start) {
          m = this.mapList[i];
          break;
        }
      }
    } else m = this.byStart.get(start);
    if (m !== undefined) {
      this.lastStart = start;
      this.lastMap = m;
    }
    return m;
  }

  private charge(delta: number): void {
    this.bytes += delta;
    this.budget.charge(delta);
  }
}
