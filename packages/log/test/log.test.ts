import { describe, expect, test } from '@jest/globals';
import { componentLogger, createLogger } from '@discret/log';

describe('logger', () => {
  test('lines are JSON with level, component and fields; levels below the threshold are dropped', () => {
    const lines: string[] = [];
    const root = createLogger({ level: 'info', destination: { write: (line) => void lines.push(line) } });
    const log = componentLogger(root, 'store');
    log.debug('hidden');
    log.warn({ room: 'r1' }, 'something odd');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ level: 40, component: 'store', room: 'r1', msg: 'something odd', lib: 'discret' });
  });
});
