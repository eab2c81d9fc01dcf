/**
 * A priority queue of timed events: a binary min-heap ordered by time, then by insertion
 * sequence, so events at equal times come out in the order they were pushed (stable).
 * Push and pop are O(log n); cancellation is O(1) (the entry is skipped when it surfaces).
 */
import type { Instant } from "@chronosync/core";

/** One queued event. Returned by {@link EventQueue.push}; call `cancel()` to drop it. */
export class QueuedEvent<T> {
  /** When the event fires. */
  readonly at: Instant;
  /** Insertion sequence number: the tie-break for equal `at`. */
  readonly seq: number;
  /** The payload (for the simulator: the function to run). */
  readonly value: T;
  private live = true;
  private readonly queue: EventQueue<T>;

  constructor(queue: EventQueue<T>, at: Instant, seq: number, value: T) {
    this.queue = queue;
    this.at = at;
    this.seq = seq;
    this.value = value;
  }

  /** False once the event has been popped or cancelled. */
  get pending(): boolean {
    return this.live;
  }

  /** Removes the event if it is still pending; true when it was. */
  cancel(): boolean {
    if (!this.live) return false;
    this.live = false;
    this.queue.noteCancelled();
    return true;
  }

  /** @internal Marks the event as taken off the queue. */
  settle(): void {
    this.live = false;
  }
}

function before<T>(x: QueuedEvent<T>, y: QueuedEvent<T>): boolean {
  return x.at < y.at || (x.at === y.at && x.seq < y.seq);
}

/** Binary heap of {@link QueuedEvent}s with stable ordering for equal times. */
export class EventQueue<T> {
  private readonly heap: QueuedEvent<T>[] = [];
  private nextSeq = 0;
  private liveCount = 0;

  /** Number of pending (not cancelled) events. */
  get size(): number {
    return this.liveCount;
  }

  /** Queues `value` at `at`. */
  push(at: Instant, value: T): QueuedEvent<T> {
    const event = new QueuedEvent(this, at, this.nextSeq++, value);
    const heap = this.heap;
    let i = heap.length;
    heap.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!before(event, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = event;
    this.liveCount++;
    return event;
  }

  /** The earliest pending event, without removing it. */
  peek(): QueuedEvent<T> | undefined {
    this.dropCancelled();
    return this.heap[0];
  }

  /** Removes and returns the earliest pending event. */
  pop(): QueuedEvent<T> | undefined {
    this.dropCancelled();
    const top = this.removeTop();
    if (top === undefined) return undefined;
    top.settle();
    this.liveCount--;
    return top;
  }

  /** @internal Called by {@link QueuedEvent.cancel}. */
  noteCancelled(): void {
    this.liveCount--;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && !this.heap[0]!.pending) this.removeTop();
  }

  private removeTop(): QueuedEvent<T> | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    const n = heap.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let child = l;
      if (r < n && before(heap[r]!, heap[l]!)) child = r;
      const c = heap[child]!;
      if (!before(c, last)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
