import { main } from '../src/optimize.js';
import { tempDir } from './temp-dir.js';

describe('optimize example', () => {
  it('walks the grid trial by trial and returns the treatment with the lowest loss', async () => {
    const s = await main(tempDir());
    expect(s.tried.map((t) => t.value)).toEqual([0.01, 0.1, 0.2, 0.3, 0.5, 1.0]);
    expect(s.best).toEqual({ name: 'lr_0.3', values: { lr: 0.3 } });
  });
});
