#!/bin/sh
set -eu
sudo install -m 0644 /tmp/app.conf /etc/app.conf
sudo apt-get install -y -q nginx
