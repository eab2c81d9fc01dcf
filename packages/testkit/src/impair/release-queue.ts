/**
 * Releases callbacks at exact monotonic deadlines (`process.hrtime.bigint()` ns).
 *
 * `setTimeout` alone fires up to ~1 ms late (and has 1 ms resolution), too coarse for a
 * relay that must apply 2.000 ms. So a timer wakes us `spinLeadNs` before the earliest
 * deadline, then a `setImmediate` loop polls the clock — it still lets the event loop
 * receive packets in between — and the last few microseconds are a tight spin.
 */

interface Entry {
  deadline: bigint;
  order: number;
  release: () => void;
}

/** Below this much time left, spin synchronously instead of yielding to the event loop. */
const TIGHT_SPIN_NS = 40_000n;

export class ReleaseQueue {
  private readonly heap: Entry[] = [];
  private readonly spinLeadNs: bigint;
  private timer: NodeJS.Timeout | null = null;
  private timerDeadline: bigint | null = null;
  private spinning = false;
  private order = 0;
  private closed = false;

  constructor(spinLeadMs = 1.5) {
    this.spinLeadNs = BigInt(Math.round(spinLeadMs * 1e6));
  }

  /** Number of callbacks not yet released. */
  get size(): number {
    return this.heap.length;
  }

  /** Runs `release` at `deadline` (hrtime ns), or as soon as possible if it has passed. */
  schedule(deadline: bigint, release: () => void): void {
    if (this.closed) return;
    this.push({ deadline, order: this.order++, release });
    this.arm();
  }

  /** Drops every pending callback and stops the timers; returns how many were dropped. */
  clear(): number {
    const dropped = this.heap.length;
    this.heap.length = 0;
    this.closed = true;
    this.disarm();
    return dropped;
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerDeadline = null;
  }

  private arm(): void {
    if (this.spinning || this.closed) return;
    const head = this.heap[0];
    if (head === undefined) {
      this.disarm();
      return;
    }
    if (this.timerDeadline !== null && this.timerDeadline <= head.deadline) return;
    this.disarm();
    const wakeIn = head.deadline - process.hrtime.bigint() - this.spinLeadNs;
    if (wakeIn <= 0n) {
      this.startSpin();
      return;
    }
    this.timerDeadline = head.deadline;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerDeadline = null;
        this.startSpin();
      },
      Math.floor(Number(wakeIn) / 1e6),
    );
  }

  private startSpin(): void {
    if (this.spinning || this.closed) return;
    this.spinning = true;
    this.spin();
  }

  private spin = (): void => {
    if (this.closed) {
      this.spinning = false;
      return;
    }
    let now = process.hrtime.bigint();
    let head = this.heap[0];
    while (head !== undefined) {
      const left = head.deadline - now;
      if (left > TIGHT_SPIN_NS) break;
      while (process.hrtime.bigint() < head.deadline) {
        // tight spin for the last microseconds
      }
      this.pop().release();
      now = process.hrtime.bigint();
      head = this.heap[0];
    }
    if (head !== undefined && head.deadline - now <= this.spinLeadNs) {
      setImmediate(this.spin);
      return;
    }
    this.spinning = false;
    this.arm();
  };

  private less(a: Entry, b: Entry): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.order < b.order);
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): Entry {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && this.less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && this.less(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}
