#!/bin/sh
# bearerbox first (smsbox and fakesmsc stop if it is not listening), then the fake SMSC, then smsbox in front.
set -eu
sed "s/@SMS_PASS@/${KANNEL_SMS_PASSWORD:?}/" /etc/kannel/kannel.conf.in > /tmp/kannel.conf
/usr/sbin/bearerbox -v 1 /tmp/kannel.conf &
sleep 2
/usr/lib/kannel/test/fakesmsc -H 127.0.0.1 -r 10000 -m 0 -v 1 "000 000 text unused" </dev/null &
sleep 1
exec /usr/sbin/smsbox -v 1 /tmp/kannel.conf
