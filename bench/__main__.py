import importlib
import json
import os
import pkgutil
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")


def main(argv):
    import django

    django.setup()
    from bench import harness

    wanted = argv[1:] or None
    names = sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if m.name.startswith("bench_")
    )
    unknown = [w for w in (wanted or []) if w not in names]
    if unknown:
        sys.exit(f"unknown benchmark {unknown}; known: {', '.join(names)}")
    if os.environ.get("BENCH_KEEP_DATABASE") != "1":  # 1: resume on what the last run left
        harness.reset_database()
    figures = {}

    def report(name, value, unit):
        figures[name] = {"value": value, "unit": unit}
        shown = f"{value:.3f}" if isinstance(value, float) else value
        print(f"{name}: {shown} {unit}", flush=True)

    for name in wanted or names:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"bench.bench_{name}").run(report)
        print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)
    out = Path("var/bench/latest.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    print(f"figures written to {out}")


if __name__ == "__main__":
    main(sys.argv)
