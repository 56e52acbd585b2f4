import { describe } from 'vitest';
import { apiSuite } from './api-suite.js';

describe('config API on the sqlite store', () => apiSuite('sqlite'));
