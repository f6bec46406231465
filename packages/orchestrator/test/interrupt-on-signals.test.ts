import { interruptOnSignals } from '@crystallize/orchestrator';

/** The helper's listeners, driven by emitting the signal events on this process. */
describe('interruptOnSignals', () => {
  const lines: string[] = [];
  const stream = { write: (text: string): boolean => lines.push(text) > 0 };
  afterEach(() => void lines.splice(0));

  it('aborts drain on the first SIGINT and says a second one stops at once; the second aborts signal', () => {
    const stop = interruptOnSignals({ stream, exitOnThird: false });
    try {
      expect(stop.drain.aborted).toBe(false);
      process.emit('SIGINT', 'SIGINT');
      expect(stop.drain.aborted).toBe(true);
      expect(stop.signal.aborted).toBe(false);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /finishing the replicates in progress.*Ctrl-C again to stop at once/,
      );
      process.emit('SIGINT', 'SIGINT');
      expect(stop.signal.aborted).toBe(true);
      expect(lines[1]).toMatch(/interrupted again: stopping now/);
      process.emit('SIGINT', 'SIGINT'); // exitOnThird: false — nothing more happens
      expect(lines).toHaveLength(2);
    } finally {
      stop.dispose();
    }
  });

  it('counts SIGTERM as an interrupt and removes its listeners on dispose', () => {
    const before = process.listenerCount('SIGTERM');
    const beforeInt = process.listenerCount('SIGINT');
    const stop = interruptOnSignals({ stream, exitOnThird: false });
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    process.emit('SIGTERM', 'SIGTERM');
    expect(stop.drain.aborted).toBe(true);
    stop.dispose();
    expect(process.listenerCount('SIGTERM')).toBe(before);
    expect(process.listenerCount('SIGINT')).toBe(beforeInt);
  });
});
