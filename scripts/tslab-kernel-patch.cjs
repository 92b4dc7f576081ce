'use strict';
/**
 * Preloaded by scripts/tslab-kernel (node --require), applied in memory to tslab 1.0.x when it starts as the
 * notebook kernel; node_modules is never edited. Two changes, each checked against the shapes it wraps (an
 * unknown tslab version gets a warning on stderr and runs unpatched):
 *
 * 1. A cell that fails at run time keeps its declarations. tslab forgets the types of every declaration of a
 *    failing cell, so a finished 10-minute optimisation stored in `const study` is unreachable from the next
 *    cell once a later line of the same cell throws. Here the next cell is compiled against the failed cell's
 *    declarations too: values assigned before the throw are kept, names declared after it are `undefined`.
 *    (A cell that fails to type-check ran nothing and declares nothing, as before.)
 * 2. `stop_on_error: false` is honoured (Jupyter's protocol; `nbconvert --allow-errors` and nbclient's
 *    allow_errors send it): a failing cell no longer cancels the requests queued behind it for 200 ms, so later
 *    cells run. With `stop_on_error: true` (the notebook's Run All) the queue is still cancelled, as in ipykernel.
 * 3. tslab's type checker does not watch the project's files. Its watcher schedules a second timer when a file
 *    under the project changes while the kernel runs (an edit in lib/ or in a strategy file) and tslab then fails
 *    every later cell with "Unexpected pending rebuildTimer". The modules a notebook loaded stay loaded until the
 *    kernel restarts either way (node's require cache), so the types now stay those of the code that runs.
 */
const path = require('path');

const argv1 = process.argv[1] || '';
if (/(^|[\\/])tslab$/.test(argv1) && process.argv.includes('kernel') && process.env.QUANTLAB_KERNEL_PATCH !== '0') install();

function warn(msg) {
  process.stderr.write(`[quantlab kernel] ${msg}; running tslab unpatched\n`);
}

function install() {
  // processes the kernel starts (tsx, workers' children) do not need the patch
  process.env.NODE_OPTIONS = (process.env.NODE_OPTIONS || '').replace(/--require[= ]\S*tslab-kernel-patch\.cjs/, '').trim();
  const req = require('module').createRequire(path.join(__dirname, '..', 'package.json'));
  let conv, exec, jup, version;
  try {
    version = req('tslab/package.json').version;
    conv = req('tslab/dist/converter');
    exec = req('tslab/dist/executor');
    jup = req('tslab/dist/jupyter');
  } catch (e) {
    return warn(`cannot load tslab's modules (${e && e.message})`);
  }
  const H = jup.JupyterHandlerImpl && jup.JupyterHandlerImpl.prototype;
  if (!/^1\.0\./.test(version) || typeof conv.createConverter !== 'function' || typeof exec.createExecutor !== 'function' || !H || typeof H.handleExecute !== 'function' || typeof H.handleExecuteImpl !== 'function') {
    return warn(`tslab ${version} does not have the shapes this patch was written for (1.0.x)`);
  }
  if (conv.createConverter.__quantlab) return; // applied already

  // --- 3. no file watching in tslab's type checker (its own in-memory cell files are notified directly)
  try {
    const tsys = req('@tslab/typescript-for-tslab').sys;
    const none = () => ({ close() {} });
    tsys.watchDirectory = none;
    tsys.watchFile = none;
  } catch (e) {
    warn(`cannot reach tslab's TypeScript (${e && e.message}) to turn off file watching`);
  }

  // --- 1. keep the declarations of a cell that failed at run time
  const state = { pending: null, last: null };
  const withPending = (prevDecl) => (state.pending !== null ? state.pending : prevDecl);
  const createConverter = conv.createConverter;
  conv.createConverter = function (options) {
    const c = createConverter.apply(this, arguments);
    const browser = !!(options && options.isBrowser);
    const { convert, inspect, complete } = c;
    c.convert = function (prevDecl, src) {
      const r = convert.call(c, withPending(prevDecl), src);
      if (!browser) state.last = r;
      return r;
    };
    if (typeof inspect === 'function') c.inspect = (prevDecl, src, pos) => inspect.call(c, withPending(prevDecl), src, pos);
    if (typeof complete === 'function') c.complete = (prevDecl, src, pos) => complete.call(c, withPending(prevDecl), src, pos);
    return c;
  };
  conv.createConverter.__quantlab = true;
  const createExecutor = exec.createExecutor;
  exec.createExecutor = function () {
    const ex = createExecutor.apply(this, arguments);
    const { execute, reset } = ex;
    ex.execute = async function (src) {
      state.last = null;
      const ok = await execute.call(ex, src);
      const last = state.last;
      if (last) {
        if (ok) state.pending = null; // tslab's own prevDecl now includes the kept declarations
        else if (last.diagnostics.length === 0 && last.output && typeof last.declOutput === 'string') state.pending = last.declOutput;
      }
      return ok;
    };
    ex.reset = function () {
      state.pending = null;
      return reset.apply(ex, arguments);
    };
    return ex;
  };

  // --- 2. stop_on_error: false runs the next cells
  const handleExecute = H.handleExecute;
  H.handleExecute = async function (req, writeStream, writeDisplayData) {
    if (!req || req.stop_on_error !== false) return handleExecute.apply(this, arguments);
    let outcome = null;
    try {
      await this.execQueue.add(async () => {
        try {
          outcome = { count: await this.handleExecuteImpl(req, writeStream, writeDisplayData) };
        } catch (e) {
          outcome = { error: e };
        }
      });
    } catch {
      return { status: 'abort', execution_count: undefined }; // cancelled by an earlier stop_on_error failure
    }
    if (outcome && 'error' in outcome) {
      const e = outcome.error;
      if (!(e && typeof e.count === 'number')) console.error('unexpected error:', e);
      return { status: 'error', execution_count: e && typeof e.count === 'number' ? e.count : undefined };
    }
    return { status: 'ok', execution_count: outcome && outcome.count ? outcome.count.count : undefined };
  };
}

module.exports = { install };
