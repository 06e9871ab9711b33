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
    c = sub.add_parser("check", help="run your notebook and see your score on the public checks")
    c.add_argument("notebook")
    args = ap.parse_args(argv)
    try:
        import nbclient, nbformat  # noqa: F401
    except ImportError as e:
        print(f"autograd-kit {args.command} needs {e.name}: pip install 'autograd_kit[grading]'", file=sys.stderr)
        return 2

    if args.command == "release":
        from .release import release
        for path in release(args.sources, args.out):
            print(path)
        return 0
    if args.command == "grade":
        from .batch import grade_class
        files = []
        for s in args.submissions:
            p = pathlib.Path(s)
            files += sorted(p.rglob("*.ipynb")) if p.is_dir() else [p]
        results = grade_class(files, args.source, args.out, args.workers, args.cell_timeout, args.timeout)
        print(f"graded {len(results)} submissions: gradebook in {pathlib.Path(args.out) / 'gradebook.csv'}")
        return 0
    if args.command == "check":
        return check_notebook(args.notebook)
    return 2


def check_notebook(path):
    """Grade a student's own notebook with its own (public) test cells: the score before submitting."""
    import nbformat
    from .grade import grade_one, read_submission
    from .report import feedback_text
    nb, problem = read_submission(path)
    if nb is None:
        print(f"{path}: {problem}")
        return 1
    name = (nb.metadata.get("autograd_kit") or {}).get("exercise", pathlib.Path(path).stem)
    result = grade_one(path, {name: nb}, watch=())  # the student's own machine: nothing to guard
    print(feedback_text(result).replace("Score:", "Score on the public checks:"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
