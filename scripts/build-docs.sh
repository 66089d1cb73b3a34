#!/usr/bin/env bash
# The documentation: Sphinx over docs/ into $PVGPU_BUILD/docs (HTML), with
# the kernel-doc comments of the files that `.. kernel-doc::` directives name
# (the uAPI header) rendered by the kernel's own kernel-doc script and Sphinx
# extension, taken from Debian's linux-source-6.12 (unpacked once into
# ~/.cache/pvgpu/kernel-doc-<key>; nothing of the kernel enters the tree).
# Every warning fails the build: Sphinx's (-W --keep-going) and kernel-doc's
# (-Wall over each such file, and -Werror inside the Sphinx run).
# Prints one line on stdout, "PASS docs/sphinx" or "FAIL docs/sphinx" (so
# the output can be appended to a results file), the warnings on stderr;
# the exit status follows.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Debian's python3-sphinx, run by the system python it was installed for
# (a python3 earlier in PATH, such as pyenv's, has no Sphinx).
SPHINX_BUILD=/usr/bin/sphinx-build
KERNEL_TARBALL=/usr/src/linux-source-6.12.tar.xz
# What the directive needs: the script and the extension with its import.
KERNEL_DOC_FILES=(scripts/kernel-doc Documentation/sphinx/kerneldoc.py
	Documentation/sphinx/kernellog.py)

# fail REASON...: the FAIL line, REASON on stderr, exit 1.
fail() {
	echo "FAIL docs/sphinx"
	printf '%s\n' "$@" >&2
	exit 1
}

# kernel_doc_tools: set $tools to the cache directory holding
# KERNEL_DOC_FILES, unpacked from the installed linux-source-6.12, keyed on
# its package version and the file list. (Not run in a subshell: fail must
# reach stdout.)
kernel_doc_tools() {
	local srcver key dir
	srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) ||
		fail "linux-source-6.12 is not installed (run: ./pvgpu setup)"
	key=$(cache_key "$srcver" "${KERNEL_DOC_FILES[@]}")
	dir="$PVGPU_CACHE/kernel-doc-$key"
	if [ ! -f "$dir/.complete" ]; then
		cache_lock "kernel-doc-$key"
		if [ ! -f "$dir/.complete" ]; then
			step "docs: unpacking kernel-doc from linux-source-6.12 $srcver"
			rm -rf "$dir" "$dir.tmp"
			mkdir -p "$dir.tmp"
			tar -xaf "$KERNEL_TARBALL" -C "$dir.tmp" --strip-components=1 \
				"${KERNEL_DOC_FILES[@]/#/linux-source-6.12/}" >&2 ||
				fail "could not unpack kernel-doc from $KERNEL_TARBALL"
			touch "$dir.tmp/.complete"
			mv "$dir.tmp" "$dir"
		fi
	fi
	tools=$dir
}

[ -x "$SPHINX_BUILD" ] || fail "$SPHINX_BUILD missing (run: ./pvgpu setup)"
kernel_doc_tools
kernel_doc="$tools/scripts/kernel-doc"
out="$PVGPU_BUILD/docs"
log="$PVGPU_BUILD/docs.log"
warnings="$PVGPU_BUILD/docs-warnings.txt"
: >"$warnings"

# kernel-doc's style check over every file a directive names.
step "docs: kernel-doc -Wall"
mapfile -t kdoc_sources < <(sed -n 's/^\.\. kernel-doc:: *//p' "$PVGPU_ROOT"/docs/*.rst |
	LC_ALL=C sort -u)
for src in "${kdoc_sources[@]}"; do
	[ -f "$PVGPU_ROOT/$src" ] || {
		echo "kernel-doc:: $src: no such file" >>"$warnings"
		continue
	}
	(cd "$PVGPU_ROOT" && perl "$kernel_doc" -none -Wall "$src") >>"$warnings" 2>&1 ||
		echo "kernel-doc -none -Wall $src: exit $?" >>"$warnings"
done

# A fresh environment (-E) every run: Sphinx reports a page's warnings only
# when it reads or writes that page, so an incremental run would pass over
# an unchanged page whose warning, or whose reference into a changed page,
# failed the last run.
step "docs: sphinx-build -W into $out"
rc=0
PVGPU_KERNEL_SPHINX="$tools/Documentation/sphinx" PVGPU_KERNEL_DOC="$kernel_doc" \
	KDOC_WERROR=1 "$SPHINX_BUILD" -E -q -W --keep-going -b html \
	-d "$out/.doctrees" "$PVGPU_ROOT/docs" "$out" >"$log" 2>&1 || rc=$?
if [ "$rc" != 0 ]; then
	cat "$log" >>"$warnings"
	echo "sphinx-build: exit $rc (full log: $log)" >>"$warnings"
fi

[ -s "$warnings" ] && fail "$(cat "$warnings")"
echo "PASS docs/sphinx"
