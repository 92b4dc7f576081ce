/** The TA-Lib oracle for tests (lives in lib/oracle so the indicators notebook can use it too). */
export { maxRelDiff, talibRun } from '../../lib/oracle/talib';
