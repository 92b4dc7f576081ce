/**
 * Block length of the kernels whose hot loop runs in blocks: `for (s = start; s < len; s += BLOCK)
 * fooBlock(..., s, min(len, s + BLOCK), state)`, where `fooBlock` is a module-level function that reads
 * its loop-carried values from `state` (a small Float64Array) into locals, runs the loop over [s, e),
 * and writes them back.
 *
 * Why: a kernel that runs its whole loop inside one call is optimised by V8 through on-stack
 * replacement (OSR) in its first call. Its regular optimised code is then compiled from feedback that
 * misses whatever ran before the feedback vector existed (the prologue and the warm-up of call 1), so it
 * deoptimises on its first run and is not re-optimised: every later call starts in the baseline tier and
 * jumps into the cached OSR code, which keeps the loop-carried doubles (running sums, the previous
 * average, the previous close) boxed — a heap number per value per bar, scavenges every few ms. On
 * BTCUSDT data, ATR(14) ran 10–15 ms per 1e6 bars that way and 4–5 ms as regular optimised code; which
 * one a process got depended on background-compile timing (machine load), not on the data. A block
 * function is called hundreds of times per series, so it is optimised as an ordinary function with full
 * feedback within the first call, a deopt is repaired within the same call, and its loop-carried
 * values start from Float64Array loads (unboxed). The arithmetic is unchanged, so results stay
 * identical bit for bit.
 *
 * 4096 bars: large enough that the call and the state round trip cost nothing (< 0.1%), small enough
 * that a 66k-bar series already makes 16 calls.
 */
export const BLOCK = 4096;
