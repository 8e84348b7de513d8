"""Seeded fuzzing of scenario input: mutated library files through `scenario validate` and `run`.

Every case is a file made from a library scenario by one mutation of a kind hostile or broken
input has shown (non-finite numbers, booleans as numbers, negative shares, reserved ids,
duplicate keys, empty texts, huge package spaces, deep nesting, aliases, devices, FIFOs, huge
files, ids that climb out of the library) or a harmless one (a new reservation, fewer rounds,
options reordered, a large but allowed package space). Each case says what the CLI must do:
refuse it (exit 2, a line naming the file and the field), accept it (exit 0, and `run` then
succeeds under a mediator), or either (a random type swap), never a traceback.

    python -m tests.scenarios.fuzz --count 500 --seed 0       # the full pass, one line of counts

Each CLI call runs in a forked child with a 20 s limit; its peak RSS is reported. The fast
pytest test (test_fuzz.py) runs a seeded sample in process.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import math
import os
import random
import resource
import sys
import time
import traceback
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal

import yaml

from treatylab.scenarios import library_paths

Expect = Literal["refuse", "accept", "any"]
MEDIATORS = ("none", "facilitative", "formulative", "manipulative", "oracle",
             "generate-rank-aggregate")
HANG_SECONDS = 20.0
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass
class Case:
    """One fuzzed input: the path (or id) given to the CLI and what must happen."""

    kind: str
    path: str
    expect: Expect
    field: str = ""  # text the refusal line must contain besides the file
    big: bool = False  # slow to run (large package space): skipped by the quick sample


@dataclass
class Outcome:
    case: Case
    validate_code: int | None = None
    run_code: int | None = None
    seconds: float = 0.0
    max_rss_mb: float = 0.0
    problems: list[str] = field(default_factory=list)


# -- mutations of the parsed data --------------------------------------------------------
Mutation = Callable[[random.Random, dict[str, Any]], tuple[Expect, str]]


def _pick_utility(rng: random.Random, d: dict[str, Any]) -> tuple[str, str, str]:
    pid = rng.choice(sorted(d["utilities"]))
    issue = rng.choice(sorted(d["utilities"][pid]))
    option = rng.choice(sorted(d["utilities"][pid][issue]))
    return pid, issue, option


def _bad_utility(value: float) -> Mutation:
    def mutate(rng: random.Random, d: dict[str, Any]) -> tuple[Expect, str]:
        pid, issue, option = _pick_utility(rng, d)
        d["utilities"][pid][issue][option] = value
        return "refuse", f"utilities.{pid}.{issue}.{option}"
    return mutate


def _shared_options(d: dict[str, Any]) -> list[tuple[int, int]]:
    return [(i, j) for i, issue in enumerate(d["issues"])
            for j, option in enumerate(issue["options"]) if option.get("burden_shares")]


def _bad_share(value: float) -> Mutation:
    def mutate(rng: random.Random, d: dict[str, Any]) -> tuple[Expect, str]:
        spots = _shared_options(d)
        if not spots:
            return _bad_utility(value)(rng, d)
        i, j = rng.choice(spots)
        shares = d["issues"][i]["options"][j]["burden_shares"]
        pid = rng.choice(sorted(shares))
        shares[pid] = value
        return "refuse", f"issues[{i}].options[{j}].burden_shares.{pid}"
    return mutate


def _negative_capacity(rng: random.Random, d: dict[str, Any]) -> tuple[Expect, str]:
    a, b = rng.sample(range(len(d["parties"])), 2)
    moved = d["parties"][a]["capacity"] + 0.25
    d["parties"][a]["capacity"] = -0.25
    d["parties"][b]["capacity"] = round(d["parties"][b]["capacity"] + moved, 6)
    return "refuse", f"parties[{a}].capacity"


def _negative_share(rng: random.Random, d: dict[str, Any]) -> tuple[Expect, str]:
    spots = _shared_options(d)
    if not spots:
        return _negative_capacity(rng, d)
    i, j = rng.choice(spots)
    shares = d["issues"][i]["options"][j]["burden_shares"]
    a, b = rng.sample(sorted(shares), 2)
    moved = shares[a] + 0.25
    shares[a], shares[b] = -0.25, round(shares[b] + moved, 6)  # the sum is still 1
    return "refuse", f"issues[{i}].options[{j}].burden_shares.{a}"


def _shock_value(field_name: str, value: float) -> Mutation:
    def mutate(rng: random.Random, d: dict[str, Any]) -> tuple[Expect, str]:
        pid = d["parties"][0]["id"]
        shocks = d.setdefault("shocks", [])
        if not shocks:
            shocks.append({"id": "fuzz-shock", "at_period": 1, "public": "A shock."})
        n = rng.randrange(len(shocks))
        shocks[n].setdefault(field_name, {})[pid] = value
        return "refuse", f"shocks[{n}].{field_name}.{pid}"
    return mutate


def _budget(value: float) -> Mutation:
    def mutate(rng: random.Random, d: dict[str, Any]) -> tuple[Expect, str]:
        d["mediator_budget"] = {"points": value, "description": "fuzzed"}
        return "refuse", "mediator_budget.points"
    return mutate


def _schema_version(value: object) -> Mutation:
    def mutate(rng: random.Random, d: dict[str, Any]) -> tuple[Expect, str]:
        d["schema_version"] = value
        return "refuse", "schema_version"
    return mutate


def _bool_number(rng: random.Random, d: dict[str, Any]) -> tuple[Expect, str]:
    choice = rng.randrange(5)
    k = rng.randrange(len(d["parties"]))
    if choice == 0:
        d["parties"][k]["reservation"] = True
        return "refuse", f"parties[{k}].reservation"
    if choice == 1:
        d["parties"][k]["capacity"] = rng.choice([True, False])
        return "refuse", f"parties[{k}].capacity"
    if choice == 2:
        d.setdefault("rules", {})["max_rounds"] = True
        return "refuse", "rules.max_rounds"
    if choice == 3:
        pid, issue, option = _pick_utility(rng, d)
        d["utilities"][pid][issue][option] = True
        return "refuse", f"utilities.{pid}.{issue}.{option}"
    d.setdefault("rules", {})["implementation_periods"] = False
    return "refuse", "rules.implementation_periods"


def _rename_party(d: dict[str, Any], old: str, new: str) -> None:
    """Rename a party everywhere it is referenced, through the YAML text of the data."""
    text = json.dumps(d)
    for quoted in (f'"{old}"',):
        text = text.replace(quoted, f'"{new}"')
    d.clear()
    d.update(json.loads(text))


def _reserved_id(rng: random.Random, d: dict[str, Any]) -> tuple[Expect, str]:
    k = rng.randrange(len(d["parties"]))
    reserved = rng.choice(["mediator", "protocol", "all", "none", "human", "system"])
    _rename_party(d, d["parties"][k]["id"], reserved)
    return "refuse", f"parties[{k}].id"


def _empty_text(rng: random.Random, d: dict[str, Any]) -> tuple[Expect, str]:
    blank = rng.choice(["", "   ", "\n"])
    choice = rng.randrange(4)
    if choice == 0:
        d["title"] = blank
        return "refuse", "title"
    if choice == 1:
        i = rng.randrange(len(d["issues"]))
        j = rng.randrange(len(d["issues"][i]["options"]))
        d["issues"][i]["options"][j]["label"] = blank
        return "refuse", f"issues[{i}].options[{j}].label"
    if choice == 2:
        k = rng.randrange(len(d["parties"]))
        d["parties"][k]["name"] = blank
        return "refuse", f"parties[{k}].name"
    i = rng.randrange(len(d["issues"]))
    d["issues"][i]["title"] = blank
    return "refuse", f"issues[{i}].title"


def _extra_issues(d: dict[str, Any], options: int, count: int) -> None:
    """Issues nobody cares about (0 points for everyone): valid, and the space grows."""
    start = len(d["issues"])
    for n in range(start, start + count):
        issue_id = f"fuzz-issue-{n}"
        d["issues"].append({"id": issue_id, "title": f"Fuzz issue {n}", "options": [
            {"id": f"o{m}", "label": f"Option {m}"} for m in range(options)]})
        for pid in d["utilities"]:
            d["utilities"][pid][issue_id] = {f"o{m}": 0 for m in range(options)}


def _packages(d: dict[str, Any]) -> int:
    return math.prod(len(issue["options"]) for issue in d["issues"])


def _huge_space(rng: random.Random, d: dict[str, Any]) -> tuple[Expect, str]:
    _extra_issues(d, 2, max(1, 34 - len(d["issues"])))
    return "refuse", "issues: the package space has"


def _over_cap(rng: random.Random, d: dict[str, Any]) -> tuple[Expect, str]:
    while _packages(d) <= 10_000_000:
        _extra_issues(d, 10, 1)
    return "refuse", "the cap is 10,000,000"


def _grow(d: dict[str, Any], target: int) -> None:
    count = 0
    while _packages(d) * 2 ** (count + 1) <= target:
        count += 1
    _extra_issues(d, 2, count)


def _large_allowed(rng: random.Random, d: dict[str, Any]) -> tuple[Expect, str]:
    """1e6 to 1e7 packages: valid and analysable, but too large for `run` (exit 2)."""
    _grow(d, rng.choice([1_000_000, 4_000_000, 10_000_000]))
    return "accept", "packages; `run` negotiates at most"


def _runnable_space(rng: random.Random, d: dict[str, Any]) -> tuple[Expect, str]:
    """Up to 50,000 packages: valid, and `run` negotiates it."""
    _grow(d, rng.choice([20_000, 50_000]))
    return "accept", ""


def _new_reservation(rng: random.Random, d: dict[str, Any]) -> tuple[Expect, str]:
    k = rng.randrange(len(d["parties"]))
    d["parties"][k]["reservation"] = rng.choice([0, 5, 25.5, 50, 70, 99])
    return "accept", ""


def _fewer_rounds(rng: random.Random, d: dict[str, Any]) -> tuple[Expect, str]:
    rules = d.setdefault("rules", {})
    latest = max([s.get("at_round") or 1 for s in d.get("shocks", [])] + [1])
    rules["max_rounds"] = rng.randint(latest, max(latest, 4))
    return "accept", ""


def _reorder_options(rng: random.Random, d: dict[str, Any]) -> tuple[Expect, str]:
    issue = rng.choice(d["issues"])
    rng.shuffle(issue["options"])
    return "accept", ""


def _rename_ok(rng: random.Random, d: dict[str, Any]) -> tuple[Expect, str]:
    k = rng.randrange(len(d["parties"]))
    _rename_party(d, d["parties"][k]["id"], f"fuzz-party-{k}")
    return "accept", ""


def _type_swap(rng: random.Random, d: dict[str, Any]) -> tuple[Expect, str]:
    """Replace one random value anywhere with a value of another type."""
    node: Any = d
    path: list[Any] = []
    while isinstance(node, (dict, list)) and node and (not path or rng.random() < 0.7):
        key = rng.choice(sorted(node)) if isinstance(node, dict) else rng.randrange(len(node))
        path.append(key)
        parent, node = node, node[key]
    if not path:
        return "any", ""
    parent[path[-1]] = rng.choice([None, [], {}, "text", 7, -3.5, [1, 2], {"x": 1}])
    return "any", ""


DATA_MUTATIONS: dict[str, Mutation] = {
    "nan-utility": _bad_utility(float("nan")),
    "inf-utility": _bad_utility(float("inf")),
    "minus-inf-utility": _bad_utility(float("-inf")),
    "utility-minus-1e308": _bad_utility(-1e308),
    "nan-burden-share": _bad_share(float("nan")),
    "inf-burden-share": _bad_share(float("inf")),
    "negative-burden-share": _negative_share,
    "nan-defection-temptation": _shock_value("defection_temptation", float("nan")),
    "inf-reservation-delta": _shock_value("reservation_delta", float("inf")),
    "nan-reservation-delta": _shock_value("reservation_delta", float("nan")),
    "inf-mediator-budget": _budget(float("inf")),
    "nan-mediator-budget": _budget(float("nan")),
    "schema-version-true": _schema_version(True),
    "schema-version-1.0": _schema_version(1.0),
    "schema-version-text": _schema_version("1"),
    "schema-version-2": _schema_version(2),
    "boolean-as-number": _bool_number,
    "reserved-party-id": _reserved_id,
    "empty-text": _empty_text,
    "type-swap": _type_swap,
    "new-reservation": _new_reservation,
    "fewer-rounds": _fewer_rounds,
    "reordered-options": _reorder_options,
    "renamed-party": _rename_ok,
}
BIG_MUTATIONS: dict[str, Mutation] = {
    "34-issues": _huge_space,
    "over-package-cap": _over_cap,
    "large-allowed-space": _large_allowed,
    "runnable-space": _runnable_space,
}


# -- mutations of the text ---------------------------------------------------------------
def _duplicate_key(rng: random.Random, text: str) -> tuple[str, Expect, str]:
    lines = text.splitlines()
    spots = [n for n, line in enumerate(lines) if line.strip().startswith("reservation:")]
    n = rng.choice(spots)
    indent = lines[n][: len(lines[n]) - len(lines[n].lstrip())]
    lines.insert(n + 1, f"{indent}reservation: 99")
    return "\n".join(lines) + "\n", "refuse", "duplicate key 'reservation'"


def _deep_list(rng: random.Random, text: str) -> tuple[str, Expect, str]:
    depth = rng.choice([100, 20_000])
    return text + f"deep: {'[' * depth}{']' * depth}\n", "refuse", "nesting deeper than"


def _deep_block(rng: random.Random, text: str) -> tuple[str, Expect, str]:
    return text + "deep:\n" + "".join(" " * n + "- \n" for n in range(0, 200, 2)), "refuse", \
        "nesting deeper than"


def _alias_bomb(rng: random.Random, text: str) -> tuple[str, Expect, str]:
    bomb = ["lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for k in range(1, 9):
        bomb.append(f"lol{k}: &l{k} [" + ", ".join([f"*l{k - 1}"] * 9) + "]")
    return text + "\n".join(bomb) + "\n", "refuse", "alias"


def _truncated(rng: random.Random, text: str) -> tuple[str, Expect, str]:
    return text[: rng.randrange(1, len(text))], "any", ""


TEXT_MUTATIONS = {
    "duplicate-key": _duplicate_key,
    "deep-flow-list": _deep_list,
    "deep-block-list": _deep_block,
    "alias-bomb": _alias_bomb,
    "truncated": _truncated,
}


def _special_cases(folder: Path, library: list[Path], huge_mb: int) -> list[Case]:
    """Paths that are not scenario files at all, and ids that climb out of the library."""
    fifo = folder / "fifo.yaml"
    if not fifo.exists():
        os.mkfifo(fifo)
    huge = folder / f"{huge_mb}-megabytes.yaml"
    if not huge.exists():
        text = library[0].read_text(encoding="utf-8")
        with huge.open("w", encoding="utf-8") as handle:
            handle.write(text + "padding: |\n")
            line = "  " + "x" * 98 + "\n"
            handle.write(line * (huge_mb * 1024 * 1024 // len(line)))
    return [
        Case("dev-zero", "/dev/zero", "refuse", "not a regular file"),
        Case("fifo", str(fifo), "refuse", "not a regular file"),
        Case("directory", str(folder), "refuse", "not a regular file"),
        Case("huge-file", str(huge), "refuse", "the cap is"),
        Case("library-escape", "../../x", "refuse", "no library scenario"),
        Case("library-escape-2", "../scenarios/northern-shield", "refuse", "no library scenario"),
        Case("missing-file", str(folder / "missing.yaml"), "refuse", "no library scenario"),
    ]


def make_cases(folder: Path, count: int, seed: int, *, big: bool = True,
               huge_mb: int = 50) -> list[Case]:
    """`count` seeded cases written under `folder` (plus the special paths), reproducibly."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    library = library_paths()
    texts = {path: path.read_text(encoding="utf-8") for path in library}
    datas = {path: yaml.safe_load(text) for path, text in texts.items()}
    kinds: list[tuple[str, Any, bool]] = [(k, m, False) for k, m in DATA_MUTATIONS.items()]
    kinds += [(k, m, True) for k, m in TEXT_MUTATIONS.items()]
    if big:
        kinds += [(k, m, False) for k, m in BIG_MUTATIONS.items()]
    cases = _special_cases(folder, library, huge_mb)
    for n in range(count - len(cases)):
        kind, mutate, on_text = kinds[n % len(kinds)]
        base = rng.choice(library)
        path = folder / f"{n:04d}-{kind}-{base.stem}.yaml"
        if on_text:
            text, expect, field_text = mutate(rng, texts[base])
        else:
            data = copy.deepcopy(datas[base])
            expect, field_text = mutate(rng, data)
            text = yaml.dump(data, Dumper=DUMPER, sort_keys=False, allow_unicode=True, width=100)
        path.write_text(text, encoding="utf-8")
        cases.append(Case(kind, str(path), expect, field_text, big=kind in BIG_MUTATIONS))
    return cases


# -- running the CLI ---------------------------------------------------------------------
def cli_call(args: list[str]) -> tuple[int, str, str]:
    """treatylab's real entry point in this process: (exit code, stdout, stderr).

    Any exception that escapes main() is printed as a traceback, so the checks see it.
    """
    from treatylab.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(args)
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        except BaseException:  # noqa: BLE001 (the point is to catch and report everything)
            traceback.print_exc()
            code = 99
    return code, out.getvalue(), err.getvalue()


def _forked_call(args: list[str], limit: float) -> tuple[int | None, str, float, float]:
    """cli_call in a forked child: (code or None on a hang, stderr, seconds, peak RSS MB)."""
    read, write = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read)
        try:
            code, _, err = cli_call(args)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            payload = json.dumps({"code": code, "err": err[-4000:], "rss": rss})
        except BaseException:  # noqa: BLE001
            payload = json.dumps({"code": 98, "err": traceback.format_exc(), "rss": 0})
        with os.fdopen(write, "w") as handle:
            handle.write(payload)
        os._exit(0)
    os.close(write)
    os.set_blocking(read, False)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(read, 65536)
            if chunk == b"":
                break
            chunks.append(chunk)
        except BlockingIOError:
            if time.monotonic() - started > limit:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                os.close(read)
                return None, "", time.monotonic() - started, 0.0
            time.sleep(0.01)
    os.close(read)
    os.waitpid(pid, 0)
    seconds = time.monotonic() - started
    data = json.loads(b"".join(chunks).decode() or '{"code": 97, "err": "no answer", "rss": 0}')
    return data["code"], data["err"], seconds, data["rss"]


def check_case(case: Case, run_dir: Path, mediator: str, *, fork: bool = True) -> Outcome:
    """Validate the case, then run it if it validated; list every broken expectation."""
    outcome = Outcome(case)

    def call(args: list[str]) -> tuple[int | None, str]:
        if fork:
            code, err, seconds, rss = _forked_call(args, HANG_SECONDS)
        else:
            started = time.monotonic()
            code, _, err = cli_call(args)
            seconds, rss = time.monotonic() - started, 0.0
        outcome.seconds = max(outcome.seconds, seconds)
        outcome.max_rss_mb = max(outcome.max_rss_mb, rss)
        if code is None:
            outcome.problems.append(f"{' '.join(args[:2])}: hung past {HANG_SECONDS:g} s")
        elif "Traceback" in err:
            outcome.problems.append(f"{' '.join(args[:2])}: traceback: {err[-300:]}")
        return code, err

    code, err = call(["scenario", "validate", case.path])
    outcome.validate_code = code
    if code is None:
        return outcome
    lines = err.splitlines()
    if code == 2:
        if case.expect == "accept":
            outcome.problems.append(f"refused a valid file: {lines[:2]}")
        named = [line for line in lines if case.path in line and case.field in line]
        if not named:
            outcome.problems.append(f"no line names the file and '{case.field}': {lines[:3]}")
        return outcome
    if code != 0:
        outcome.problems.append(f"validate exited {code}: {lines[:3]}")
        return outcome
    if case.expect == "refuse":
        outcome.problems.append(f"accepted a file that must be refused ({case.field})")
    out = run_dir / Path(case.path).stem
    code, err = call(["run", case.path, "--mediator", mediator, "--out", str(out), "--quiet",
                      "--overwrite"])
    outcome.run_code = code
    if case.expect == "accept" and case.field:  # valid, but too large to negotiate
        if code != 2 or not any(case.path in line and case.field in line
                                for line in err.splitlines()):
            outcome.problems.append(f"run should refuse ({case.field}): exit {code}, "
                                    f"{err.splitlines()[-2:]}")
    elif code not in (None, 0):
        outcome.problems.append(f"run exited {code}: {err.splitlines()[-3:]}")
    return outcome


def summarise(outcomes: list[Outcome]) -> dict[str, Any]:
    return {
        "cases": len(outcomes),
        "refused": sum(o.validate_code == 2 for o in outcomes),
        "accepted_and_run": sum(o.run_code == 0 for o in outcomes),
        "accepted_run_refused": sum(o.validate_code == 0 and o.run_code == 2 for o in outcomes),
        "tracebacks": sum(any("traceback" in p for p in o.problems) for o in outcomes),
        "hangs": sum(any("hung" in p for p in o.problems) for o in outcomes),
        "over_1gb": sum(o.max_rss_mb > 1024 for o in outcomes),
        "broken_expectations": sum(bool(o.problems) for o in outcomes),
        "max_seconds": round(max((o.seconds for o in outcomes), default=0.0), 2),
        "max_rss_mb": round(max((o.max_rss_mb for o in outcomes), default=0.0), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/treatylab-fuzz"))
    args = parser.parse_args(argv)
    import treatylab.graphs.builder  # noqa: F401 (loaded once, before the children fork)

    cases = make_cases(args.dir / "cases", args.count, args.seed)
    outcomes = []
    for n, case in enumerate(cases):
        outcome = check_case(case, args.dir / "runs", MEDIATORS[n % len(MEDIATORS)])
        outcomes.append(outcome)
        for problem in outcome.problems:
            print(f"{case.kind} {case.path}: {problem}", file=sys.stderr)
    print(json.dumps(summarise(outcomes)))
    return 1 if any(o.problems for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
