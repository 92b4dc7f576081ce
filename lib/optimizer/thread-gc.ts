import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection for the calling thread (V8's `gc`, exposed at run time), or undefined when the
 * runtime refuses. Worker threads use it where garbage would otherwise pile up past a bound before V8
 * collects on its own: an indicator cache evicting long arrays, a thread parked for reuse.
 */
export function threadGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}
