#!/bin/sh
# A TEST DOUBLE OF A BROKEN PACKER, not packer. Kiln's fault suite runs it in packer's place
# (PackerRunners.processBuilder().executable(...)) to see what Kiln makes of a packer that prints
# garbage, lies about artifacts or crashes. It answers `version` as packer 1.6.6 does and
# `validate` with success; `build` reads what to do from the "broken-packer" field of the
# template it is given (its last argument).
case "$1" in
  version) echo "1700000000,,version,1.6.6"; echo "1700000000,,version-prelease,"; exit 0 ;;
  validate) exit 0 ;;
  build) ;;
  *) echo "broken-packer: unknown command $1" >&2; exit 2 ;;
esac
for template in "$@"; do :; done
mode=$(sed -n 's/.*"broken-packer": *"\([a-z0-9-]*\)".*/\1/p' "$template")

garbage() {
  # binary noise, on both streams, with and without newlines
  head -c 4096 /dev/urandom
  printf '\n'
  head -c 1024 /dev/urandom >&2
  # lines that look machine-readable and are not
  printf '1,,ui\n,,,,\n1\n,\nabc,def,ghi\n-1,,ui,say,negative time\n'
  printf '99999999999999999999999,box,artifact,0,id,overflowing time\n'
  printf '1700000000,,ui,error,%%!(PACKER_COMMA)%%!(PACKER_COMMA)\\n\\n\\r\n'
  printf '1700000000,box,artifact\n1700000000,box,artifact,0\n1700000000,box,artifact,x,end,extra\n'
  printf '1700000000,box,artifact,0,builder-id,truncated.group.never.ends\n'
  printf '1700000000,,ui,say,\033[31mterminal escapes\033[0m \000 NUL \007 BEL\n'
  printf '1700000000,,ui,message,    box: <script>alert(1)</script> & "quotes"\n'
  printf '\xff\xfe\xfd not UTF-8 \xc3\x28\n'
}

case "$mode" in
  garbage-exit-0)
    garbage
    exit 0 ;;
  garbage-exit-1)
    garbage
    printf '1700000000,,ui,error,Build '"'"'box'"'"' errored: broken-packer: garbage then exit 1\n'
    exit 1 ;;
  bogus-artifact)
    printf '1700000000,box,artifact-count,1\n'
    printf '1700000000,box,artifact,0,builder-id,mitchellh.amazonebs\n'
    printf '1700000000,box,artifact,0,id,%%!(PACKER_COMMA)not-an-image\\n\n'
    printf '1700000000,box,artifact,0,end\n'
    printf '1700000000,,ui,say,Build '"'"'box'"'"' finished.\n'
    exit 0 ;;
  panic)
    printf '1700000000,,ui,say,==> box: about to crash\n'
    printf 'panic: runtime error: invalid memory address or nil pointer dereference\n' >&2
    printf '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x0]\n\ngoroutine 1 [running]:\n' >&2
    kill -SEGV $$ ;;
  record-argv)
    # every argument on its own line, and the var-file as packer would read it, in packer's working directory
    printf '%s\n' "$@" > argv.txt
    for a in "$@"; do
      case "$a" in -var-file=*) cp "${a#-var-file=}" var-file.json ;; esac
    done
    printf '1700000000,,ui,error,Build '"'"'box'"'"' errored: broken-packer: recorded its arguments\n'
    exit 1 ;;
  huge-line)
    head -c 8388608 /dev/zero | tr '\000' 'x'
    exit 1 ;;
  *)
    echo "broken-packer: no mode in $template" >&2
    exit 3 ;;
esac
