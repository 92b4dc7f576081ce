/** One true range value (TA-Lib's order of comparisons); NaN if any input is NaN. */
export function trueRange(h: number, l: number, prevClose: number): number {
  if (prevClose !== prevClose) return NaN;
  let greatest = h - l; // NaN if h or l is NaN, and stays NaN (comparisons with NaN are false)
  const up = Math.abs(prevClose - h);
  if (up > greatest) greatest = up;
  const down = Math.abs(prevClose - l);
  if (down > greatest) greatest = down;
  return greatest;
}
