# SPDX-License-Identifier: MIT
# Sphinx configuration of the pvgpu documentation. Built by
# scripts/build-docs.sh, which unpacks the kernel's kernel-doc script and its
# Sphinx extension from Debian's linux-source-6.12 into the cache and names
# them here through the environment:
#   PVGPU_KERNEL_SPHINX  the directory holding kerneldoc.py (and kernellog.py)
#   PVGPU_KERNEL_DOC     the kernel-doc script
import os
import sys

try:
    sys.path.insert(0, os.environ['PVGPU_KERNEL_SPHINX'])
    kerneldoc_bin = os.environ['PVGPU_KERNEL_DOC']
except KeyError as missing:
    raise RuntimeError('%s is not set: build the documentation with '
                       'scripts/build-docs.sh' % missing) from None

project = 'pvgpu'
copyright = 'the pvgpu authors'

extensions = ['kerneldoc']

# `.. kernel-doc:: include/uapi/drm/pvgpu_drm.h` names files from the
# repository root, as the kernel's documentation names them from its tree.
kerneldoc_srctree = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# kernel-doc's warnings are shown; build-docs.sh sets KDOC_WERROR, which
# makes one also fail the directive, a Sphinx warning.
kerneldoc_verbosity = 1

root_doc = 'index'
exclude_patterns = []
# The pages are about C and shell: no guessing at Python for `::` blocks.
primary_domain = 'c'
highlight_language = 'none'
# A reference to something that does not exist (a page, a label, a C
# identifier) is a warning, and so an error of the build.
nitpicky = True

html_theme = 'alabaster'
html_title = 'pvgpu'
html_show_sourcelink = False
html_copy_source = False
