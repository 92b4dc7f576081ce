"""Optuna 3.1 reference for bench/optimize.ts (run with Debian's /usr/bin/python3 and python3-optuna).

Reads one JSON object on argv[1]: {"seeds": 20, "trials": 100, "functions": ["branin", ...], "multivariate": [false, true], "seed0": 0,
"overhead": {"history": 1000, "asks": 20}}. Prints one JSON object: median best value per function and sampler variant,
every seed's best value (for the spread), and the TPE sampler's time per trial with `history` completed trials.
"""
import json
import math
import statistics
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)

A6 = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P6 = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991], [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
ALPHA = [1.0, 1.2, 3.0, 3.2]


def branin(t):
    x = t.suggest_float("x", -5, 10)
    y = t.suggest_float("y", 0, 15)
    b = 5.1 / (4 * math.pi ** 2)
    c = 5 / math.pi
    s = 1 / (8 * math.pi)
    return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - s) * math.cos(x) + 10


def hartmann6(t):
    x = [t.suggest_float(f"x{i}", 0, 1) for i in range(6)]
    return -sum(ALPHA[i] * math.exp(-sum(A6[i][j] * (x[j] - P6[i][j] * 1e-4) ** 2 for j in range(6))) for i in range(4))


def rosenbrock4(t):
    x = [t.suggest_float(f"x{i}", -5, 10) for i in range(4)]
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(3))


FUNCTIONS = {"branin": branin, "hartmann6": hartmann6, "rosenbrock4": rosenbrock4}


def main():
    cfg = json.loads(sys.argv[1])
    out = {"optuna": optuna.__version__, "best": {}, "values": {}, "seconds": {}}
    for name in cfg["functions"]:
        f = FUNCTIONS[name]
        for mv in cfg["multivariate"]:
            key = f"{name}/{'tpe-multivariate' if mv else 'tpe'}"
            bests = []
            t0 = time.perf_counter()
            for seed in range(cfg.get("seed0", 0), cfg.get("seed0", 0) + cfg["seeds"]):
                study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed, multivariate=mv))
                study.optimize(f, n_trials=cfg["trials"])
                bests.append(study.best_value)
            out["best"][key] = statistics.median(bests)
            out["values"][key] = bests
            # progress on stderr: one line per function and variant
            print(json.dumps({"key": key, "values": bests}), file=sys.stderr, flush=True)
            out["seconds"][key] = time.perf_counter() - t0
    ov = cfg.get("overhead")
    if ov:
        # TPE time per trial once the study holds `history` completed trials (sma-cross-like space: two integers)
        study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=1))
        dist = {"fast": optuna.distributions.IntDistribution(2, 50), "slow": optuna.distributions.IntDistribution(10, 200, step=2)}
        import random
        rnd = random.Random(1)
        trials = [
            optuna.trial.create_trial(params={"fast": rnd.randint(2, 50), "slow": 10 + 2 * rnd.randint(0, 95)}, distributions=dist, value=rnd.gauss(0, 1))
            for _ in range(ov["history"])
        ]
        study.add_trials(trials)
        times = []
        for _ in range(ov["asks"]):
            t0 = time.perf_counter()
            t = study.ask()
            t.suggest_int("fast", 2, 50)
            t.suggest_int("slow", 10, 200, step=2)
            times.append(time.perf_counter() - t0)
            study.tell(t, rnd.gauss(0, 1))
        out["tpeMsPerTrialAt1000"] = statistics.median(times) * 1000
    print(json.dumps(out))


main()
