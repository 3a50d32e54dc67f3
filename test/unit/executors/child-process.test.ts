import { describe, expect, it } from 'vitest';
import { createOutputCapture, runChildProcess } from '../../../src/executors/child-process.js';

describe('createOutputCapture', () => {
  it('keeps everything below the limit', () => {
    const capture = createOutputCapture(100);
    capture.push(Buffer.from('hello '));
    capture.push(Buffer.from('world'));
    expect(capture.text()).toBe('hello world');
    expect(capture.totalBytes()).toBe(11);
  });

  it('keeps the head and the tail around a marker beyond the limit', () => {
    const lines: string[] = [];
    const capture = createOutputCapture(40, (line) => lines.push(line));
    for (let index = 0; index < 20; index++) capture.push(Buffer.from(`${String(index).padStart(2, '0')}\n`));
    // 60 bytes: the first 30 and the last 10 are kept, cut at byte boundaries.
    expect(capture.text()).toBe(
      '00\n01\n02\n03\n04\n05\n06\n07\n08\n09\n\n[output truncated: 20 bytes omitted]\n\n17\n18\n19\n',
    );
    expect(capture.tail(6)).toBe('18\n19\n');
    expect(lines).toHaveLength(20);
  });
});

describe('runChildProcess', () => {
  it('runs without a shell and reports the exit code', async () => {
    const result = await runChildProcess({
      file: '/bin/sh',
      args: ['-c', 'echo "$0 $1"; exit 4', 'a b', '$(id)'],
      env: { PATH: '/usr/bin:/bin' },
      signal: new AbortController().signal,
    });
    expect(result).toMatchObject({ exitCode: 4, stdout: 'a b $(id)\n', aborted: false, forceKilled: false });
  });

  it('rejects with ENOENT when the file does not exist', async () => {
    await expect(
      runChildProcess({ file: '/nonexistent/tool', args: [], env: {}, signal: new AbortController().signal }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('stops a child with SIGTERM on abort when it obeys', async () => {
    const controller = new AbortController();
    const result = await runChildProcess({
      file: '/bin/sh',
      args: ['-c', 'echo ready; exec sleep 60'],
      env: { PATH: '/usr/bin:/bin' },
      signal: controller.signal,
      onLine: (_stream, line) => {
        if (line === 'ready') controller.abort();
      },
    });
    expect(result).toMatchObject({ aborted: true, forceKilled: false, exitSignal: 'SIGTERM' });
    expect(result.durationMs).toBeLessThan(1500);
  });
});
