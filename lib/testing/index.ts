/**
 * quantlab's testing helpers as one entry, `quantlab/testing`: TA-Lib as an oracle for the indicators
 * (npm `talib`, a dev dependency) and the comparisons the indicator tests and notebook use.
 */
export { agreementRow, maxRelDiff, talibRun, type AgreementRow } from './talib';
export { talibAgreement, type AgreementItem } from './agreement';
