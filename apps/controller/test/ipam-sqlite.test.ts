import { describe } from 'vitest';
import { ipamSuite } from './ipam-suite.js';

describe('IPAM on the sqlite store', () => ipamSuite('sqlite'));
