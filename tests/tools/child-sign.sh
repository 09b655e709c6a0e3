#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tools.child-sign: child-sign signs an image that child-sign verify (the
# check CHILD_CREATE makes) accepts, and refuses it with one bit flipped in
# the image, the signature or the configuration, or under another key.
# Usage: child-sign.sh CHILD-SIGN CHILD.dts WORKDIR
set -u
tool=$1 dts=$2 dir=$3
secret=9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60
fail() { echo "not ok: $*"; exit 1; }
mkdir -p "$dir" || exit 1
dtc -q -I dts -O dtb -o "$dir/child.dtb" "$dts" || fail "dtc"
# RFC 8032 TEST 1's key: the public key is the RFC's.
pub=$("$tool" pubkey $secret | head -n1)
[ "$pub" = d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a ] ||
    fail "pubkey: $pub"
other=$("$tool" pubkey 4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb | head -n1)
head -c 5000 /dev/urandom >"$dir/image" || fail "image"
"$tool" sign $secret "$dir/child.dtb" "$dir/image" "$dir/signed" || fail "sign"
[ $(wc -c <"$dir/signed") -eq 5064 ] || fail "signed image is not image + 64 bytes"
cmp -n 5000 "$dir/image" "$dir/signed" || fail "signed image does not start with the image"
"$tool" verify $pub "$dir/child.dtb" "$dir/signed" || fail "verify of a good signature"
"$tool" verify $other "$dir/child.dtb" "$dir/signed"
[ $? -eq 1 ] || fail "verify under another key did not say bad"
# One flipped bit at offset $1 of file $2 into $3.
flip() {
    python3 -c 'import sys; b=bytearray(open(sys.argv[2],"rb").read()); b[int(sys.argv[1])]^=1; open(sys.argv[3],"wb").write(b)' "$@"
}
for at in 0 4999 5000 5063; do
    flip $at "$dir/signed" "$dir/flipped" || fail "flip"
    "$tool" verify $pub "$dir/child.dtb" "$dir/flipped"
    [ $? -eq 1 ] || fail "bit flipped at $at accepted"
done
size=$(wc -c <"$dir/child.dtb")
flip $((size - 2)) "$dir/child.dtb" "$dir/child2.dtb" || fail "flip"
"$tool" verify $pub "$dir/child2.dtb" "$dir/signed"
[ $? -ne 0 ] || fail "another configuration accepted"
# A configuration the hypervisor refuses is not signed.
"$tool" sign $secret "$dir/image" "$dir/image" "$dir/x" 2>"$dir/err"
[ $? -eq 2 ] || fail "sign with a bad configuration"
echo "ok: child-sign signs, verifies, refuses flipped bits and other keys"
