/**
 * Min-heap of claimed executions by start instant: the scheduler keeps one timer, for the top of the
 * heap, instead of one timer per task (measured in the README: per-task timers fall seconds behind at a
 * thousand every-second tasks; one heap timer keeps p99 lateness in milliseconds).
 */
export interface HeapItem {
  id: string;
  atMs: number;
}

export class DueHeap<T extends HeapItem> {
  private readonly items: T[] = [];
  private readonly ids = new Set<string>();

  get size(): number {
    return this.items.length;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  push(item: T): void {
    if (this.ids.has(item.id)) return;
    this.ids.add(item.id);
    this.items.push(item);
    let index = this.items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.items[parent]!.atMs <= this.items[index]!.atMs) break;
      this.swap(index, parent);
      index = parent;
    }
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** Removes and returns every item due at or before `atMs`, earliest first. */
  popDue(atMs: number): T[] {
    const due: T[] = [];
    while (this.items.length > 0 && this.items[0]!.atMs <= atMs) due.push(this.pop()!);
    return due;
  }

  drain(): T[] {
    return this.popDue(Number.POSITIVE_INFINITY);
  }

  private pop(): T | undefined {
    const top = this.items[0];
    if (!top) return undefined;
    const last = this.items.pop()!;
    this.ids.delete(top.id);
    if (this.items.length > 0) {
      this.items[0] = last;
      let index = 0;
      for (;;) {
        const left = index * 2 + 1;
        const right = left + 1;
        let smallest = index;
        if (left < this.items.length && this.items[left]!.atMs < this.items[smallest]!.atMs) smallest = left;
        if (right < this.items.length && this.items[right]!.atMs < this.items[smallest]!.atMs)
          smallest = right;
        if (smallest === index) break;
        this.swap(index, smallest);
        index = smallest;
      }
    }
    return top;
  }

  private swap(a: number, b: number): void {
    const item = this.items[a]!;
    this.items[a] = this.items[b]!;
    this.items[b] = item;
  }
}
