#!/usr/bin/env bash
set -euo pipefail
echo "installing the worker in ${WORKING_DIR}"
