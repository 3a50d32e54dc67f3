/**
 * An execution's log, bounded in bytes so one chatty task cannot bloat task_executions. When full it
 * keeps the beginning (what the task set out to do) and the end (usually where it failed), with a marker
 * in between saying how much was left out.
 */
export interface BoundedLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** The text to store: head, truncation marker if anything was dropped, tail. */
  text(): string;
  readonly truncated: boolean;
}

export function createBoundedLog(maxBytes: number, timestamp: () => Date): BoundedLog {
  // Room kept for the marker so the stored text stays within maxBytes.
  const half = Math.max(0, Math.floor((maxBytes - 120) / 2));
  const head: string[] = [];
  let headBytes = 0;
  const tail: string[] = [];
  let tailBytes = 0;
  let droppedLines = 0;
  let droppedBytes = 0;
  const append = (level: string, message: string) => {
    let line = `${timestamp().toISOString()} ${level} ${message}`;
    if (Buffer.byteLength(line, 'utf8') + 1 > half) line = `${line.slice(0, Math.max(0, half / 4 - 20))} […]`;
    const size = Buffer.byteLength(line, 'utf8') + 1;
    if (droppedLines === 0 && tail.length === 0 && headBytes + size <= half) {
      head.push(line);
      headBytes += size;
      return;
    }
    tail.push(line);
    tailBytes += size;
    while (tailBytes > half && tail.length > 0) {
      const removed = tail.shift() ?? '';
      tailBytes -= Buffer.byteLength(removed, 'utf8') + 1;
      droppedLines += 1;
      droppedBytes += Buffer.byteLength(removed, 'utf8') + 1;
    }
  };
  return {
    info: (message) => append('INFO', message),
    warn: (message) => append('WARN', message),
    error: (message) => append('ERROR', message),
    text: () => {
      const marker =
        droppedLines > 0
          ? [`[… log truncated: ${droppedLines} line(s), ${droppedBytes} bytes left out …]`]
          : [];
      return [...head, ...marker, ...tail].join('\n');
    },
    get truncated() {
      return droppedLines > 0;
    },
  };
}
