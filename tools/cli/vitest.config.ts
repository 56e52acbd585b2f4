// The CLI's test files build and run dist/ (as users run it): one file at a time, so no build rewrites
// dist/ under another file's feet.
import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

export default mergeConfig(shared, { test: { fileParallelism: false } });
