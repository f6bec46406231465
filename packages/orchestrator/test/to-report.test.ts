import { CrystallizeError } from '@crystallize/core';
import { Result } from '../src/index.js';

describe('result.toReport without the report package', () => {
  it('says which package writes reports and how to load it, instead of failing obscurely', async () => {
    const failure = new Result().toReport({ file: 'never-written.html' });
    await expect(failure).rejects.toThrow(CrystallizeError);
    await expect(failure).rejects.toThrow(
      /needs @crystallize\/report.*import from the `crystallize` package/s,
    );
  });
});
