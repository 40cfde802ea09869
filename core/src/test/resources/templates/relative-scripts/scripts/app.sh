#!/bin/sh
set -eu
install -m 0644 /tmp/app.conf /etc/app.conf
