#!/usr/bin/env bash
# Makes the throwaway test PKI every test uses, in OUTDIR (idempotent):
#   ca.pem/ca.key         root CA "parley test root" (ca-bundle.pem: the trust anchor)
#   int.pem/int.key       intermediate CA
#   server-rsa.pem/.key   RSA-2048 leaf + intermediate, CN=localhost, SANs localhost,
#                         *.parley.test, 127.0.0.1, ::1, EKU serverAuth
#   server-ecdsa.pem/.key the same with a P-256 key
#   server-ed25519.pem/.key the same with an Ed25519 key (TLS 1.3 peers' certificates)
#   server-rsa-leaf.pem   the RSA leaf alone
#   expired.pem/.key      valid names, expired in 2020
#   wrongname.pem/.key    CN and SAN other.example
#   untrusted.pem/.key    issued by a root that is not in ca-bundle.pem
#   client-rsa.pem/.key, client-ecdsa.pem/.key  CN=parley client, EKU clientAuth
#   client-expired.pem/.key   a client certificate that expired in 2020
#   client-untrusted.pem/.key a client certificate from the untrusted root
#   rsa1024.pem/.key      a leaf with a too-small RSA key
set -euo pipefail
out=${1:?usage: make-certs.sh OUTDIR}
# Made once per version of this script: a directory from an older version is made again.
stamp=$(sha256sum "$0" | cut -d' ' -f1)
[ "$(cat "$out/.done" 2>/dev/null)" = "$stamp" ] && exit 0
mkdir -p "$out"
cd "$out"
# openssl is chatty; keep its output in a log and print one line.
exec 3>&1 >make-certs.log 2>&1

key_rsa() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"${2:-2048}" -out "$1" ; }
key_ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" ; }

cat > ext.cnf <<'CNF'
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, DNS:*.parley.test, IP:127.0.0.1, IP:::1
[wrong]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.example
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
CNF

# sign NAME SUBJECT ISSUER EXT [DAYS]
sign() {
    openssl req -new -key "$1.key" -subj "$2" -out "$1.csr" 
    openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial \
        -extfile ext.cnf -extensions "$4" -days "${5:-3650}" -sha256 -out "$1.crt" 
}

key_rsa ca.key
# root NAME SUBJECT: a self-signed CA
root() {
    openssl req -x509 -new -key "$1.key" -subj "$2" -days 3650 -sha256 \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out "$1.pem"
}
root ca "/O=parley/CN=parley test root"
key_rsa int.key
sign int "/O=parley/CN=parley test intermediate" ca ca && mv int.crt int.pem
key_rsa untrusted-root.key
root untrusted-root "/CN=untrusted root"

key_rsa server-rsa.key
sign server-rsa "/O=parley/CN=localhost" int server
cat server-rsa.crt int.pem > server-rsa.pem
cp server-rsa.crt server-rsa-leaf.pem
key_ec server-ecdsa.key
sign server-ecdsa "/O=parley/CN=localhost" int server
cat server-ecdsa.crt int.pem > server-ecdsa.pem
openssl genpkey -algorithm ED25519 -out server-ed25519.key
sign server-ed25519 "/O=parley/CN=localhost" int server
cat server-ed25519.crt int.pem > server-ed25519.pem
key_rsa wrongname.key
sign wrongname "/O=parley/CN=other.example" int wrong
cat wrongname.crt int.pem > wrongname.pem
key_rsa untrusted.key
sign untrusted "/O=parley/CN=localhost" untrusted-root server
cat untrusted.crt untrusted-root.pem > untrusted.pem
key_rsa rsa1024.key 1024
sign rsa1024 "/O=parley/CN=localhost" int server
cat rsa1024.crt int.pem > rsa1024.pem
key_rsa client-rsa.key
sign client-rsa "/O=parley/CN=parley client" int client
cat client-rsa.crt int.pem > client-rsa.pem
key_ec client-ecdsa.key
sign client-ecdsa "/O=parley/CN=parley client ecdsa" int client
cat client-ecdsa.crt int.pem > client-ecdsa.pem

# Expired: a certificate whose validity ended in 2020, signed by the intermediate.
key_rsa expired.key
openssl req -new -key expired.key -subj "/O=parley/CN=localhost" -out expired.csr 
mkdir -p ca-db && : > ca-db/index.txt && echo 01 > ca-db/serial
cat > ca-db/ca.cnf <<CNF
[ca]
default_ca = d
[d]
database = ca-db/index.txt
serial = ca-db/serial
new_certs_dir = ca-db
default_md = sha256
policy = p
copy_extensions = none
unique_subject = no
[p]
commonName = supplied
organizationName = optional
CNF
openssl ca -batch -config ca-db/ca.cnf -cert int.pem -keyfile int.key -in expired.csr \
    -startdate 20200101000000Z -enddate 20200102000000Z -extfile ext.cnf -extensions server \
    -out expired.crt 
cat expired.crt int.pem > expired.pem
key_rsa client-expired.key
openssl req -new -key client-expired.key -subj "/O=parley/CN=expired client" -out client-expired.csr
openssl ca -batch -config ca-db/ca.cnf -cert int.pem -keyfile int.key -in client-expired.csr \
    -startdate 20200101000000Z -enddate 20200102000000Z -extfile ext.cnf -extensions client \
    -out client-expired.crt
cat client-expired.crt int.pem > client-expired.pem
key_rsa client-untrusted.key
sign client-untrusted "/O=parley/CN=untrusted client" untrusted-root client
cat client-untrusted.crt untrusted-root.pem > client-untrusted.pem

cp ca.pem ca-bundle.pem
rm -f ./*.csr ./*.srl
chmod a+r ./*
echo "$stamp" > .done
echo "test certificates in $out" >&3
