"""TAP output for the Python host tests in this directory."""

results = []


def check(name, cond, detail=""):
    """Record one test point; @detail is printed as a comment if it fails."""
    results.append((name, bool(cond), detail))


def report():
    """Print the plan and every point; the exit status for sys.exit()."""
    print(f"1..{len(results)}")
    for i, (name, ok, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if not ok and detail != "":
            for line in str(detail).splitlines():
                print(f"# {line}")
    return 0 if all(ok for _, ok, _ in results) else 1
