/** The TA-Lib oracle for tests (lives in lib/testing so the indicators notebook can use it too). */
export { maxRelDiff, talibRun } from '../../lib/testing/talib';
