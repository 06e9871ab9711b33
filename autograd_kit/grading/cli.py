"""The ``autograd-kit`` command: release, grade, check."""
import argparse
import os
import pathlib
import sys


def main(argv=None):
    ap = argparse.ArgumentParser(prog="autograd-kit", description="Release and grade autograd_kit exercises.")
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("release", help="make student versions of instructor source notebooks")
    r.add_argument("sources", nargs="+")
    r.add_argument("--out", required=True)
    g = sub.add_parser("grade", help="grade submissions against the instructor sources")
    g.add_argument("submissions", nargs="+", help="notebook files or folders of them")
    g.add_argument("--source", required=True, help="folder of instructor source notebooks")
    g.add_argument("--out", required=True)
    g.add_argument("--workers", type=int, default=os.cpu_count())
    g.add_argument("--cell-timeout", type=float, default=30)
    g.add_argument("--timeout", type=float, default=300, help="seconds for a whole notebook")
    g.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="run student code without the sandbox (only for code you trust: it can read and change "
                        "anything this user can)")
    sub.add_parser("sandbox-setup", help="build the grading sandbox's interpreter (once per machine; as root for /var/cache)")
    c = sub.add_parser("check", help="run your notebook and see your score on the public checks")
    c.add_argument("notebook")
    e = sub.add_parser("export", help="export gradescope: build a Gradescope autograder zip that runs this grader")
    e.add_argument("platform", choices=["gradescope"])
    e.add_argument("sources", nargs="+", help="instructor source notebooks (released, so their answer keys are set)")
    e.add_argument("--out", required=True, help="the zip to write, e.g. autograder.zip")
    e.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="grade without the sandbox where Gradescope's container has none (else such runs score 0 "
                        "with a message)")
    args = ap.parse_args(argv)
    try:
        import nbformat  # noqa: F401
    except ImportError as e:
        print(f"autograd-kit {args.command} needs {e.name}: pip install 'autograd_kit[grading]'", file=sys.stderr)
        return 2
    if args.command == "sandbox-setup":
        from .sandbox import setup_main
        return setup_main()

    if args.command == "export":
        from .gradescope import build_zip
        print(build_zip(args.sources, args.out, unsafe_no_sandbox=args.unsafe_no_sandbox))
        return 0
    if args.command == "release":
        from .release import ReleaseError, release
        try:
            for path in release(args.sources, args.out):
                print(path)
        except ReleaseError as e:
            print(f"autograd-kit release: {e}", file=sys.stderr)
            return 1
        return 0
    if args.command == "grade":
        from .batch import grade_class
        from .sandbox import Unavailable, check_available
        if not args.unsafe_no_sandbox:
            try:
                check_available()
            except Unavailable as e:
                print(f"autograd-kit grade: refusing to run student code without a sandbox: {e}.\n"
                      "Student code could then read the hidden tests, change other students' grades and the "
                      "files of this machine. Fix the above, or pass --unsafe-no-sandbox for code you trust.",
                      file=sys.stderr)
                return 2
        results = grade_class(args.submissions, args.source, args.out, args.workers, args.cell_timeout, args.timeout,
                              sandboxed=not args.unsafe_no_sandbox)
        print(f"graded {len(results)} submissions: gradebook in {pathlib.Path(args.out) / 'gradebook.csv'}")
        return 0
    if args.command == "check":
        return check_notebook(args.notebook)
    return 2


def check_notebook(path):
    """A student's own notebook, graded on its own (public) test cells exactly as ``grade`` runs them:
    the tests in this process, the notebook in a sandbox when this machine has one, else in a plain
    local process (the student's own machine: nothing to protect from the student)."""
    from . import sandbox, submission
    from .grade import grade_one
    from .report import feedback_text
    raw, cells, meta, notes = submission.read(path)
    if cells is None:
        print(f"{path}: {notes[-1] if notes else 'not a notebook'}")
        return 1
    name = (meta.get("autograd_kit") or {}).get("exercise") if isinstance(meta.get("autograd_kit"), dict) else None
    name = name if isinstance(name, str) else pathlib.Path(path).stem
    try:
        sandbox.check_available(build=False)
        sandboxed = True
    except sandbox.Unavailable:
        sandboxed = False
    sources = {name: {"cells": cells, "sha256": submission.sha256_bytes(raw)}}
    result = grade_one(path, sources, sandboxed=sandboxed, identity=(pathlib.Path(path).parent.name, name))
    print(feedback_text(result).replace("Score:", "Score on the public checks:"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
